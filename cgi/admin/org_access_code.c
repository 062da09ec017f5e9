/* org_access_code.c: the strength rule for self-enrollment access codes (they are SCEP challenge passwords). */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "org_model.h"

#define CODE_MIN 12
#define CODE_MAX 64

/* Words people put in codes; matched case-insensitively anywhere. */
static const char *const weak_words[] = {
	"password", "passwort", "passw0rd", "qwerty", "azerty", "letmein", "welcome", "secret",
	"admin", "access", "enroll", "certmint", "changeme", "default", "monkey", "dragon",
	"iloveyou", "summer", "winter", "spring", "autumn", "company", "test", NULL
};

/* 1 when a is followed by b in an alphabet or keyboard-ish sequence (either direction). */
static int
step(unsigned char a, unsigned char b)
{
	a = (unsigned char)tolower(a);
	b = (unsigned char)tolower(b);
	if (!isalnum(a) || !isalnum(b) || isdigit(a) != isdigit(b))
		return 0;
	return b == a + 1 || a == b + 1;
}

/* NULL when acceptable, else a message for the form. */
const char *
org_access_code_weakness(const char *code)
{
	size_t n = strlen(code), letters = 0, digits = 0, distinct = 0, weak = 0;
	unsigned char seen[256];
	char lower[CODE_MAX + 1];

	if (n < CODE_MIN)
		return "The access code must be at least 12 characters long.";
	if (n > CODE_MAX)
		return "The access code must be at most 64 characters long.";
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)code[i];

		if (ch < 0x21 || ch > 0x7e)
			return "Use printable ASCII characters without spaces: devices type the code as a SCEP challenge password.";
		if (isalpha(ch))
			letters++;
		else if (isdigit(ch))
			digits++;
		if (!seen[tolower(ch)]++)
			distinct++;
		lower[i] = (char)tolower(ch);
	}
	lower[n] = '\0';
	if (letters == 0 || digits == 0)
		return "The access code must mix letters and digits.";
	for (size_t i = 0; weak_words[i]; i++)
		if (strstr(lower, weak_words[i]))
			return "The access code contains a common word; choose something hard to guess.";
	if (distinct < 6)
		return "The access code repeats too few characters; use at least 6 different ones.";
	/* Characters inside runs of 3+ repeated or sequential characters
	 * ("aaaa", "1234", "dcba") must not make up half the code. */
	for (size_t i = 0; i < n; ) {
		size_t j = i + 1;

		if (j < n && lower[j] == lower[i]) {
			while (j < n && lower[j] == lower[i])
				j++;
		} else if (j < n && step((unsigned char)lower[i], (unsigned char)lower[j])) {
			int dir = lower[j] - lower[i];

			while (j < n && lower[j] - lower[j - 1] == dir &&
			    step((unsigned char)lower[j - 1], (unsigned char)lower[j]))
				j++;
		}
		if (j - i >= 3)
			weak += j - i;
		i = j;
	}
	if (weak * 2 >= n)
		return "The access code is mostly a repeated or sequential pattern (like aaaa or 1234); choose something hard to guess.";
	return NULL;
}
