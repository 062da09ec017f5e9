/* test_units.c: unit tests for the one organisation/department form value (cm_unit_format, cm_unit_parse). */
#include "config.h"

#include <string.h>

#include "tap.h"
#include "units.h"

/* 1 when s parses to exactly org/dept. */
static int
parses(const char *s, int64_t org, int64_t dept)
{
	int64_t o = -1, d = -1;

	return cm_unit_parse(s, &o, &d) == 0 && o == org && d == dept;
}

/* 1 when s is refused, leaving both ids 0. */
static int
refused(const char *s)
{
	int64_t o = -1, d = -1;

	return cm_unit_parse(s, &o, &d) == -1 && o == 0 && d == 0;
}

int
main(void)
{
	char buf[CM_UNIT_MAX], small[4];
	int64_t o, d;

	ok(parses("7", 7, 0), "an organisation");
	ok(parses("7/12", 7, 12), "a department of it");
	ok(parses("999999999999999999/999999999999999999", 999999999999999999LL, 999999999999999999LL),
	    "the longest value");
	ok(refused(NULL), "NULL");
	ok(refused(""), "empty");
	ok(refused("0"), "organisation 0");
	ok(refused("7/0"), "department 0");
	ok(refused("07"), "a leading zero");
	ok(refused("7/012"), "a leading zero in the department");
	ok(refused("/12"), "no organisation");
	ok(refused("7/"), "a slash without a department");
	ok(refused("7/12/3"), "two slashes");
	ok(refused("7-12"), "the old delegation form ORG-DEPT");
	ok(refused("o7"), "the old administrator form oORG");
	ok(refused("d12"), "the old administrator form dDEPT");
	ok(refused("-7"), "a sign");
	ok(refused(" 7"), "a leading space");
	ok(refused("7/12 "), "a trailing space");
	ok(refused("1000000000000000000"), "19 digits");
	ok(refused("7/1000000000000000000"), "a department of 19 digits");
	ok(refused("999999999999999999/9999999999999999999"), "one byte too long");
	ok(refused("7/12xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), "a long tail");

	is_str(cm_unit_format(buf, sizeof(buf), 7, 0), "7", "format an organisation");
	is_str(cm_unit_format(buf, sizeof(buf), 7, 12), "7/12", "format a department");
	is_str(cm_unit_format(buf, sizeof(buf), 0, 0), "", "no organisation formats empty");
	is_str(cm_unit_format(buf, sizeof(buf), 999999999999999999LL, 999999999999999999LL),
	    "999999999999999999/999999999999999999", "CM_UNIT_MAX holds the longest");
	ok(strlen(cm_unit_format(small, sizeof(small), 12345, 6)) == sizeof(small) - 1, "a short buffer is cut, not overrun");
	cm_unit_format(buf, sizeof(buf), 42, 4242);
	ok(cm_unit_parse(buf, &o, &d) == 0 && o == 42 && d == 4242, "format then parse gives the ids back");
	return tap_done();
}
