# Quickstart demo of people, security culture, procedures and documents (sourced by
# deploy/quickstart.sh after its own steps: uses $imsctl, $run and say).

say "People of the demo tenant with the method's profiles (the assets' owner \"IT lead\" becomes a person)"
"$imsctl" person put demo ana --name "Ana Ruiz" --profile security_officer --org-unit Management >/dev/null
"$imsctl" person put demo it-lead --name "IT lead" --profile systems_manager --profile operations_lead \
    --manager ana >/dev/null
"$imsctl" person put demo joe --name "Joe Bloggs" --profile system_user --manager it-lead >/dev/null
"$imsctl" person list demo
"$imsctl" culture issue demo CERT-1 --person ana --level 3 --evidence "security officer course" >/dev/null
"$imsctl" culture summary demo

say "The incident procedure: Joe reports, Joe may not diagnose, Ana does"
incident=$("$imsctl" incident list demo | awk 'NR == 2 { print $1 }')
"$imsctl" procedure start demo IR-1 --procedure incident --incident "$incident" --person joe \
    --title "Ransomware on a laptop" >/dev/null
"$imsctl" procedure advance demo IR-1 diagnose --person joe || true
"$imsctl" procedure advance demo IR-1 diagnose --person ana >/dev/null
"$imsctl" procedure show demo IR-1

say "The security policy, written from its template: a draft, not yet evidence"
"$imsctl" document create demo ART.security_policy --owner ana --person ana | grep -E '^  (status|version)'
"$imsctl" document show demo ART.security_policy --markdown | head -4
"$imsctl" level show demo | grep -E '^(security level|revision):'
say "Ana approves it: it evidences its controls until its review date, and the level moves at once"
"$imsctl" document approve demo ART.security_policy --approver ana | grep -E '^  (status|review_due)'
"$imsctl" level show demo | grep -E '^(security level|revision):'
"$imsctl" document list demo | grep -E '^ARTEFACT|approved'
