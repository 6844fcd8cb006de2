# Man pages: rendering, and every key, command, option, scope and program of
# the code documented.
TESTS += tests/man/man_pages.sh
EXTRA_DIST += tests/man/man_pages.sh
