#!/bin/bash
# 05-example.sh: the page harness runs any program, not only admin.fcgi: example.fcgi (cgi/example) with a form,
# a raw body and no login, through the same helpers as the admin page tests (tests/web/example.sh checks it in full).
. tests/lib.sh
. tests/harness/harness.sh
harness_up "$CERTMINT_BUILD/cgi/example/example.fcgi" || { fail "example.fcgi serves its socket in the page harness"; done_testing; exit 1; }
ok "example.fcgi serves its socket in the page harness"
T=$(mktemp -d /tmp/cm-05-example.XXXXXX)
trap 'rm -rf "$T"; harness_down' EXIT
# example.fcgi's routes start at /example, not /admin.
URL=$CERTMINT_URL

get /example > /dev/null
expect_eq "GET /example: 200" "$(status)" 200
check "... the page" grep -q 'example home' "$T/body"
expect_match "... with a Content-Type header" "$(header Content-Type)" '^text/'
get /nowhere > /dev/null
expect_eq "GET /nowhere: 404" "$(status)" 404
post /example/items/7 'name=Résumé one' > /dev/null
expect_eq "POST a url-encoded form: 200" "$(status)" 200
expect_eq "... the handler gets the decoded field" "$(cat "$T/body")" "item 7 name=Résumé one"
head -c 3000 /dev/urandom > "$T/raw"
get /example/digest --data-binary "@$T/raw" -H 'Content-Type: application/pkcs10' > /dev/null
expect_eq "POST a raw application/pkcs10 body: 200" "$(status)" 200
expect_eq "... every byte arrives" "$(cat "$T/body")" \
	"3000 bytes of application/pkcs10 sha256=$(sha256sum < "$T/raw" | cut -d' ' -f1)"
get /example/digest --data-binary "@$T/raw" > /dev/null
expect_eq "the same body as a form type: 415" "$(status)" 415
page_get "" /example > /dev/null
expect_eq "page_get with no user works for a program without login" "$(status)" 200
done_testing
