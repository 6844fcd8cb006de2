# Tests: deploy
