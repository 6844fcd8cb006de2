# SPDX-License-Identifier: ISC
# Documentation tests: docs/openapi.yaml through a real OpenAPI validator
# (redocly lint, installed by scripts/npm-tools). Every end-to-end test also
# checks each response it receives against docs/openapi.yaml
# (tests/e2e/openapi_check.py, run by tests/e2e/lib.sh).
TESTS += tests/docs/openapi_lint.sh tests/docs/openapi_check_cases.sh \
	tests/docs/openapi_statuses.sh
# Files, not the directory: tests/docs is also a build directory (config_parse),
# and `make dist` would copy its objects and logs from there.
EXTRA_DIST += tests/docs/openapi_lint.sh tests/docs/openapi_check_cases.sh \
	tests/docs/openapi_statuses.sh tests/docs/config_samples.sh \
	tests/docs/doc_examples.py tests/docs/redocly.yaml tests/e2e/openapi_check.py

# Every config sample in the docs loads through the real parser.
check_PROGRAMS += tests/docs/config_parse
tests_docs_config_parse_LDADD = $(UP_LIBS)
TESTS += tests/docs/config_samples.sh

# The family registry and every file generated from it.
TESTS += tests/docs/families.sh
EXTRA_DIST += tests/docs/families.sh

# The request examples of docs/api/*.md and README.md run as printed
# (tests/docs/doc_examples.py; an end-to-end test: the harness starts the stack).
TESTS += tests/e2e/doc_examples.sh
EXTRA_DIST += tests/e2e/doc_examples.sh

# ./scripts/serve --demo-data, then docs/api/users.md as a reader runs it.
TESTS += tests/serve/serve_demo_data.sh
EXTRA_DIST += tests/serve/serve_demo_data.sh

# The Monitoring one-liners of docs/operations.md on a real log (with 503s).
TESTS += tests/e2e/doc_monitoring.sh
EXTRA_DIST += tests/e2e/doc_monitoring.sh

# Every source file carries the SPDX tag of the project's licence (ISC).
TESTS += tests/docs/licence_tags.sh
EXTRA_DIST += tests/docs/licence_tags.sh
