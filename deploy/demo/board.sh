# The control board, sourced by deploy/quickstart.sh once the demo tenant has moved: the
# board's address on the ops listener, a token to sign in with, the management report and
# the SoA workbook of the demo tenant. The board stays live as long as imsd serves (until
# Ctrl-C). Uses the quickstart's $imsd, $imsctl, $run, $ops and $IMS_ADMIN_DSN.

"$imsd" token create --db "$IMS_ADMIN_DSN" --role tenant_admin --tenant demo \
    --label "quickstart board" >"$run/demo-admin.token" 2>/dev/null

say "The management report and the SoA workbook for the auditor"
"$imsctl" report demo --out "$run/demo-report.html"
"$imsctl" soa export demo --format xlsx --out "$run/demo-soa.xlsx"
echo "Open $run/demo-report.html in a browser and print it to PDF for the review."

# The page read whole first: under pipefail, grep -q leaving early could fail curl's write.
page=$(curl -sf "http://$ops/board/" || true)
grep -q "ims control board" <<<"$page" || {
    echo "quickstart: the board is not served on http://$ops/board/ (log: $run/imsd.log)" >&2
    exit 1
}
say "The control board: http://$ops/board/"
cat <<MSG
Sign in with the operator's token (the portfolio of every tenant):
    $(cat "$run/operator.token")
or with the demo tenant's administrator token (its board only):
    $(cat "$run/demo-admin.token")
The board moves live: with it open, record an incident and watch the level change:
    IMS_SERVER=$IMS_SERVER IMS_TOKEN=\$(cat $run/operator.token) $imsctl incident open demo --severity 3 --threat T.phishing
MSG
