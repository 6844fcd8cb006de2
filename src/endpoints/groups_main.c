/* SPDX-License-Identifier: ISC */
/* userpatch-groups: the Groups API as a FastCGI or CGI program. */
#include "groups.h"

int main(void)
{
	return up_app_main("userpatch-groups", &up_groups_routes);
}
