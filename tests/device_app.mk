# Tests: device_app
