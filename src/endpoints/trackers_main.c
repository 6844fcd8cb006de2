/* SPDX-License-Identifier: ISC */
/* userpatch-trackers: the tracker apps' protocols as a FastCGI or CGI program. */
#include "trackers.h"

int main(void)
{
	return up_app_main("userpatch-trackers", &up_trackers_routes);
}
