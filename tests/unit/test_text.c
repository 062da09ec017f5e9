/* test_text.c: unit tests for cm_text_clean (well-formed UTF-8 without control characters). */
#include "config.h"

#include "tap.h"
#include "text.h"

int
main(void)
{
	ok(cm_text_clean(""), "the empty string is clean");
	ok(cm_text_clean("Jane O'Neil & Co <b>"), "printable ASCII is clean (escaping is the page's job)");
	ok(cm_text_clean("M\xc3\xbcnchen"), "two-byte UTF-8 (\xc3\xbc)");
	ok(cm_text_clean("\xe2\x82\xac 5"), "three-byte UTF-8 (euro sign)");
	ok(cm_text_clean("\xf0\x9f\x94\x91"), "four-byte UTF-8 (U+1F511)");
	ok(cm_text_clean("\xef\xbf\xbf"), "U+FFFF is well-formed");
	ok(cm_text_clean("\xf4\x8f\xbf\xbf"), "U+10FFFF, the last code point");
	ok(!cm_text_clean("tab\there"), "a tab is a control character");
	ok(!cm_text_clean("line\nbreak"), "a newline is refused");
	ok(!cm_text_clean("del\x7f"), "DEL is refused");
	ok(!cm_text_clean("caf\xe9"), "Latin-1 (a lone 0xe9) is refused");
	ok(!cm_text_clean("\xc3"), "a sequence cut at the end is refused");
	ok(!cm_text_clean("\xe2\x82"), "a three-byte sequence cut short is refused");
	ok(!cm_text_clean("\xc0\xaf"), "the overlong 0xc0 0xaf ('/') is refused");
	ok(!cm_text_clean("\xc1\xbf"), "0xc1 never starts a sequence");
	ok(!cm_text_clean("\xe0\x80\xaf"), "an overlong three-byte form is refused");
	ok(!cm_text_clean("\xf0\x80\x80\xaf"), "an overlong four-byte form is refused");
	ok(!cm_text_clean("\xed\xa0\x80"), "a UTF-16 surrogate (U+D800) is refused");
	ok(!cm_text_clean("\xed\xbf\xbf"), "the last surrogate (U+DFFF) is refused");
	ok(cm_text_clean("\xed\x9f\xbf"), "U+D7FF, just below the surrogates, is fine");
	ok(!cm_text_clean("\xf4\x90\x80\x80"), "past U+10FFFF is refused");
	ok(!cm_text_clean("\xf5\x80\x80\x80"), "0xf5 never starts a sequence");
	ok(!cm_text_clean("\x80"), "a lone continuation byte is refused");
	ok(!cm_text_clean("a\xc3\x28"), "a bad continuation byte is refused");
	ok(!cm_text_clean("\xc2\x80"), "U+0080, a C1 control, is refused");
	ok(!cm_text_clean("\xc2\x9f"), "U+009F, the last C1 control, is refused");
	ok(cm_text_clean("\xc2\xa0"), "U+00A0 (no-break space) is fine");
	is_int(cm_text_chars(""), 0, "no characters in the empty string");
	is_int(cm_text_chars("M\xc3\xbcnchen"), 7, "M\xc3\xbcnchen is 7 characters (8 bytes)");
	is_int(cm_text_chars("\xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x94\x91"), 4, "CJK, a space and an emoji: 4 characters");
	return tap_done();
}
