# POST /api/v1/device_app_user_update/ program.
