# Check and Act on the demo tenant (sourced by deploy/quickstart.sh, which sets imsctl and
# say and exports IMS_SERVER and IMS_TOKEN): an internal audit with a finding, a corrective
# action closing it, a management review, and a level-1 award. Also runnable alone:
#   imsctl=build/release/client/cli/imsctl IMS_SERVER=… IMS_TOKEN=… bash deploy/demo/act.sh [TENANT]

act_tenant=${1:-demo}
command -v say >/dev/null 2>&1 || say() { printf '\n== %s\n' "$*"; }
# The one field of a JSON answer we need next (the object's id).
act_field() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval("d" + sys.argv[1]))' "$1"; }

say "Check: an internal audit of the programme, started and reported with a finding"
act_audit=$("$imsctl" --json audit plan "$act_tenant" --kind internal --title "ISMS internal audit" \
    --framework iso27001-2022 --control A.8.8 --planned-at now | act_field '["audit"]["id"]')
"$imsctl" audit start "$act_tenant" "$act_audit" --auditor "Internal auditor"
act_finding=$("$imsctl" --json finding open "$act_tenant" --type minor_nc --control A.8.8 \
    --audit-id "$act_audit" --description "Critical patches are installed late" |
    act_field '["finding"]["id"]')
"$imsctl" audit report "$act_tenant" "$act_audit" --report "One minor nonconformity on patching." \
    --evidence "patch-log-2026.xlsx"

say "Act: a corrective action with its root cause; done, verified, and the finding closes"
act_action=$("$imsctl" --json action raise "$act_tenant" --kind corrective --source finding \
    --source-id "$act_finding" --description "Weekly patch window with a named owner" \
    --owner "IT lead" --due +30d --root-cause "No owner for the patch schedule" |
    act_field '["action"]["id"]')
"$imsctl" action done "$act_tenant" "$act_action"
"$imsctl" action verify "$act_tenant" "$act_action" --note "Patch log shows the weekly window"
"$imsctl" finding close "$act_tenant" "$act_finding"
"$imsctl" audit close "$act_tenant" "$act_audit"
"$imsctl" audit list "$act_tenant"

say "A management review: its inputs frozen now, a decision and the action it raises"
"$imsctl" review hold "$act_tenant" --chair "Managing director" --attendee CISO \
    --attendee "BCM lead" --decisions "Fund an automated patch tool." \
    --action "improvement|CISO|+90d|Select and deploy a patch management tool"
"$imsctl" action list "$act_tenant"

say "Certification by levels: every level-1 sub-control answered, the level awarded"
"$imsctl" export "$act_tenant" | python3 -c '
import json, sys
snap = json.load(sys.stdin)
print("subcontrol,answer,note,evidence")
for s in snap["subcontrols"]:
    if s["level"] == 1 and s["applicable"]:
        print("%s,yes,level 1 in place," % s["id"])' >"${TMPDIR:-/tmp}/ims-act-level1.csv"
"$imsctl" assess import "$act_tenant" "${TMPDIR:-/tmp}/ims-act-level1.csv"
rm -f "${TMPDIR:-/tmp}/ims-act-level1.csv"
"$imsctl" level show "$act_tenant"
"$imsctl" certify award "$act_tenant" --level 1 --grace-days 30
"$imsctl" certify list "$act_tenant"
