# JSON Patch engine tests.
