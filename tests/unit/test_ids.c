/* test_ids.c: unit tests for cm_id_parse (ids from paths, forms and queries). */
#include "config.h"

#include "ids.h"
#include "tap.h"

int
main(void)
{
	is_int(cm_id_parse("1"), 1, "1");
	is_int(cm_id_parse("42"), 42, "42");
	ok(cm_id_parse("999999999999999999") == 999999999999999999LL, "18 digits");
	is_int(cm_id_parse("1000000000000000000"), 0, "19 digits are refused");
	is_int(cm_id_parse(NULL), 0, "NULL");
	is_int(cm_id_parse(""), 0, "empty");
	is_int(cm_id_parse("0"), 0, "zero is no id");
	is_int(cm_id_parse("07"), 0, "a leading zero is refused");
	is_int(cm_id_parse("-3"), 0, "a sign is refused");
	is_int(cm_id_parse("+3"), 0, "a plus sign is refused");
	is_int(cm_id_parse(" 3"), 0, "leading space");
	is_int(cm_id_parse("3 "), 0, "trailing space");
	is_int(cm_id_parse("3x"), 0, "trailing letters");
	is_int(cm_id_parse("0x10"), 0, "hex");
	is_int(cm_id_parse_n("12/34", 2), 12, "the first n bytes");
	is_int(cm_id_parse_n("12/34", 3), 0, "n covering a separator");
	is_int(cm_id_parse_n("12", 0), 0, "n = 0");
	return tap_done();
}
