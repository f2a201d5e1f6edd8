-- Templates of the core documents, in our own words: Markdown with the placeholders of
-- ims_document_fill, filled in when a tenant's document is created from them.

INSERT INTO document_templates (artefact_id, body) VALUES
('ART.security_policy', $t$# {{document.title}}

**{{tenant.name}}** · classification: {{document.classification}} · owner: {{document.owner}} · drafted {{date}}

## Why this policy exists

{{tenant.name}} depends on its information and on the services it delivers to its customers.
This policy states what management commits to so that information stays confidential,
correct and available, and so that the business keeps running when something goes wrong.

## Commitments

- Management sets security and continuity objectives each year and provides the people,
  time and money to reach them.
- Risks to information and to critical activities are assessed at planned intervals and
  treated according to the risk management procedure.
- Everyone who works for {{tenant.name}} knows the rules that apply to them, is trained
  in them and reports anything suspicious at once.
- Legal, regulatory and contractual requirements are identified and met.
- The management system is checked by internal audits and management reviews and is
  improved continually.

## Responsibilities

The owner of this policy coordinates the management system and reports to management.
Each manager answers for how their people handle information; each person answers for
following the rules.

## Review

This policy is reviewed every {{review_months}} months and whenever the business or its
risks change significantly.
$t$),
('ART.scope', $t$# {{document.title}}

**{{tenant.name}}** ({{tenant.sector}}, {{tenant.size_band}}) · drafted {{date}}

## Scope

The management system covers the activities, locations, information and systems of
{{tenant.name}} listed below. Anything excluded is named with the reason.

| in scope | notes |
|---|---|
| _activity or service_ | |
| _location_ | |
| _systems and cloud services_ | |

**Exclusions:** _none_ / _what and why_.

## Context

- Internal issues: _people, skills, systems, culture_.
- External issues: _market, suppliers, law, threats_.

## Interested parties

| party | what they require of us |
|---|---|
| customers | |
| staff | |
| regulators | |
| suppliers | |
$t$),
('ART.risk_method', $t$# {{document.title}}

**{{tenant.name}}** · owner: {{document.owner}} · drafted {{date}}

## Method

Risks are assessed for each asset of the inventory against the threats that can affect
it. For each pair, the impact (from the asset's value in confidentiality, integrity and
availability and how much the threat degrades it) and the likelihood (1 to 5) give a
level on the 5 × 5 matrix, from very low to very high.

## Criteria

- Risks at or below the appetite of the organisation may be accepted by their owner.
- Risks above the appetite are treated: mitigated by controls, transferred, or avoided.
- Accepting a risk above the appetite needs management's signed decision.

## When

The assessment is repeated every {{review_months}} months, after a significant change and
after a serious incident. The risk register keeps the result, the owner of each risk and
the treatment decided.
$t$),
('ART.soa', $t$# {{document.title}}

**{{tenant.name}}** · drafted {{date}}

This statement lists every control of ISO/IEC 27001:2022 Annex A, whether it applies to
{{tenant.name}}, why, and how far it is implemented. It is produced from the management
system (`imsctl soa list {{tenant.slug}}`) and approved with the risk treatment plan.

## Statement

Management of {{tenant.name}} confirms that the controls marked applicable were chosen
from the risk assessment and the legal and contractual requirements, and that each
exclusion is justified.

| control | applicable | justification | status |
|---|---|---|---|
| _filled from the system_ | | | |
$t$),
('ART.incident_procedure', $t$# {{document.title}}

**{{tenant.name}}** · owner: {{document.owner}} · drafted {{date}}

## Purpose

To handle events and incidents quickly and in the same way every time, limiting harm and
learning from each one.

## Phases

1. **Detect and report** — anyone who notices something wrong reports it at once, saying
   what they saw and when. Reports go to _contact_.
2. **Diagnose** — the security officer or IT confirms whether it is an incident, judges its
   severity (1 to 5) and what it touches.
3. **Escalate** — if continuity is threatened, the security officer starts the continuity
   plan and informs management, customers or authorities as required.
4. **Resolve** — IT or the provider contains the incident, removes its cause and restores
   the service from clean copies where needed.
5. **Close** — the security officer records what was done and learned, and opens
   corrective actions.

## Records

Each incident is entered in the incident log with its times, decisions and evidence.
$t$),
('ART.bc_plan', $t$# {{document.title}}

**{{tenant.name}}** · owner: {{document.owner}} · drafted {{date}}

## Activation

The plan is activated by _role_ when a disruption exceeds, or may exceed, the recovery
time objective of a critical activity.

## Crisis team

| role | person | deputy | phone |
|---|---|---|---|
| lead | | | |
| communication | | | |
| IT recovery | | | |

## Critical activities

For each activity of the business impact analysis: its recovery time objective, the
minimum service to keep, the people, systems and suppliers it needs, and the steps to
continue and recover.

### _activity_

- RTO: _hours_ · RPO: _hours_
- Continue by: _workaround_
- Recover by: _steps_

## Exercises

The plan is exercised at least once a year and after major changes; results go in the
exercise report.
$t$),
('ART.access_control_policy', $t$# {{document.title}}

**{{tenant.name}}** · owner: {{document.owner}} · classification: {{document.classification}} · drafted {{date}}

## Principles

- Access is given only for what a person's work needs, and removed when it no longer does.
- Each person has their own account; shared accounts are not used.
- Administrator rights are separate from everyday accounts and kept to a few people.
- Access from outside the office and to critical systems uses multi-factor authentication.

## Requesting and removing access

A manager requests access for their staff; the owner of the system approves it; IT grants
it and keeps the record. When someone moves or leaves, their access is changed or removed
on their last day.

## Reviews

Owners review who has access to their systems every {{review_months}} months, following
the access review procedure.
$t$);
