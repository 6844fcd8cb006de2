/* SPDX-License-Identifier: ISC */
/*
 * value_check.h: one table-driven check of a resource's field validator
 * (up_resource_check_value), shared by the unit tests of the resources'
 * field tables.  Defined in value_check.c (libtestutil).
 */
#ifndef UP_VALUE_CHECK_H
#define UP_VALUE_CHECK_H

#include "resource.h"

struct tu_value_case {
	int line;
	const char *desc;
	const char *field;
	const char *json; /* the value; NULL: absent */
	int ok;
	const char *text; /* ok: the bound text (NULL: SQL NULL); else a part of the reason */
};

/*
 * Check c (borrowed) against field c->field of r: accepted or refused as
 * c->ok says, bound as c->text or refused with a reason holding it.
 * Fails the running Check test otherwise.
 */
void tu_check_value(const struct up_resource *r, const struct tu_value_case *c);

#endif
