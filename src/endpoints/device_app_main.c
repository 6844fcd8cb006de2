/* SPDX-License-Identifier: ISC */
/* userpatch-device-app: POST /api/v1/device_app_user_update/ as a FastCGI or CGI program. */
#include "device_app.h"

int main(void)
{
	return up_app_main("userpatch-device-app", &up_device_app_routes);
}
