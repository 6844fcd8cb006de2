/* SPDX-License-Identifier: ISC */
/* userpatch-devices: the Devices API as a FastCGI or CGI program. */
#include "devices.h"

int main(void)
{
	return up_app_main("userpatch-devices", &up_devices_routes);
}
