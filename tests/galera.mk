# Fail-over against a real 3-node Galera cluster (tests/galera/failover.sh):
# about a minute and three database servers, so not part of `make check`;
# scripts/test runs it as its own stage (make check-galera).
GALERA_TESTS = tests/galera/failover.sh
EXTRA_DIST += $(GALERA_TESTS)

check-galera:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(GALERA_TESTS)'
.PHONY: check-galera
