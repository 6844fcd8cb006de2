/* Placeholder until the JSON Patch engine lands. */
#include <stdio.h>
#include "admin.h"

int up_admin_json_patch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("{\"code\":\"internal_error\",\"error\":\"json-patch is not available\"}\n", stderr);
	return 1;
}
