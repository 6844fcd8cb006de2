# Tests: users
