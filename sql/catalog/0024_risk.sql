-- Risk catalog: threat families and threats (MAGERIT-like grouping), asset types,
-- degradation of each asset type by each threat (delta in (0, 1]) and the threat ->
-- Annex A control mitigation matrix (effectiveness in [0, 1]). Likelihood 1..5 is a
-- default for a small company; schemas and tenants adjust it.

INSERT INTO threat_families (id, name, sort_order) VALUES
    ('natural', 'Natural disasters', 1),
    ('industrial', 'Industrial and environmental', 2),
    ('errors', 'Errors and unintentional failures', 3),
    ('attacks', 'Deliberate attacks', 4);

INSERT INTO threats (id, family_id, name, dimensions, likelihood, description) VALUES
('T.natural_disaster', 'natural', 'Flood, storm or earthquake', 'A', 1, 'A natural event damages the premises or the region''s infrastructure.'),
('T.fire', 'natural', 'Fire', 'A', 1, 'Fire in the premises or in a hosting site destroys equipment and records.'),
('T.water_damage', 'natural', 'Water damage', 'A', 1, 'Leaks, burst pipes or flooding damage equipment and paper records.'),
('T.pandemic', 'natural', 'Epidemic', 'A', 2, 'Illness keeps many staff away at the same time.'),
('T.power_outage', 'industrial', 'Power outage', 'A', 3, 'Loss or instability of electrical supply.'),
('T.environmental_failure', 'industrial', 'Cooling or environmental failure', 'A', 2, 'Overheating, humidity or dust damage equipment.'),
('T.hardware_failure', 'industrial', 'Hardware failure', 'A', 3, 'A disk, server, laptop or network device breaks down.'),
('T.telecom_outage', 'industrial', 'Internet or telecom outage', 'A', 3, 'Loss of internet access or telephone lines.'),
('T.media_degradation', 'industrial', 'Storage media degradation', 'IA', 2, 'Data on disks, tapes or USB media becomes unreadable or corrupt.'),
('T.user_error', 'errors', 'User error', 'IA', 4, 'A staff member deletes, overwrites or enters wrong data by mistake.'),
('T.admin_error', 'errors', 'Administrator error', 'CIA', 3, 'A wrong action by an administrator breaks a system or exposes data.'),
('T.misconfiguration', 'errors', 'Misconfiguration', 'CIA', 3, 'A system or cloud service is set up insecurely, e.g. public sharing or open ports.'),
('T.software_defect', 'errors', 'Software defect', 'IA', 3, 'A bug in software corrupts data or stops a service.'),
('T.misdirected_information', 'errors', 'Information sent to the wrong recipient', 'C', 3, 'An email or document with confidential data reaches the wrong person.'),
('T.staff_unavailability', 'errors', 'Key person unavailable', 'A', 2, 'The only person who knows a system or process is absent or leaves.'),
('T.supplier_failure', 'errors', 'Supplier failure', 'A', 3, 'A supplier or cloud provider stops delivering its service.'),
('T.capacity_exhaustion', 'errors', 'Capacity exhaustion', 'A', 2, 'A system runs out of disk, memory, licences or bandwidth.'),
('T.change_failure', 'errors', 'Failed change or update', 'IA', 3, 'An update or change is applied without testing and breaks a service.'),
('T.malware', 'attacks', 'Malware', 'CIA', 3, 'Viruses, trojans or spyware infect a device.'),
('T.ransomware', 'attacks', 'Ransomware', 'CIA', 3, 'Data is encrypted or stolen and a ransom demanded.'),
('T.phishing', 'attacks', 'Phishing', 'CI', 4, 'Deceptive messages trick staff into giving credentials or running malware.'),
('T.account_takeover', 'attacks', 'Account takeover', 'CI', 3, 'Stolen or guessed credentials give an attacker access to an account.'),
('T.unauthorised_access', 'attacks', 'Unauthorised access', 'CI', 3, 'Someone accesses data or systems they are not allowed to.'),
('T.privilege_abuse', 'attacks', 'Abuse of privileges', 'CIA', 2, 'A user or administrator misuses the rights they have.'),
('T.vulnerability_exploit', 'attacks', 'Exploitation of a vulnerability', 'CIA', 3, 'An attacker uses an unpatched weakness in software or devices.'),
('T.web_attack', 'attacks', 'Web application attack', 'CIA', 3, 'Injection, card skimming or defacement of a website or web shop.'),
('T.denial_of_service', 'attacks', 'Denial of service', 'A', 2, 'A service is flooded so that customers cannot reach it.'),
('T.fraud', 'attacks', 'Payment fraud and business email compromise', 'I', 3, 'A fake invoice or impersonated manager leads to a fraudulent payment.'),
('T.equipment_theft', 'attacks', 'Theft of equipment', 'CA', 3, 'Laptops, phones or media are stolen.'),
('T.physical_intrusion', 'attacks', 'Physical intrusion', 'CIA', 1, 'Someone breaks into the premises.'),
('T.data_exfiltration', 'attacks', 'Data theft by an insider', 'C', 2, 'A staff member or contractor takes confidential data.'),
('T.interception', 'attacks', 'Interception', 'C', 2, 'Communications are intercepted on an insecure network.'),
('T.supply_chain_compromise', 'attacks', 'Supply chain compromise', 'CIA', 2, 'A supplier''s product or access is used to attack the company.');

INSERT INTO asset_types (id, name, description) VALUES
('information', 'Information', 'Data and documents: customer files, contracts, accounts, intellectual property, personal data.'),
('application', 'Application', 'Business software installed or developed: accounting, ERP, CRM, web shop code.'),
('server', 'Server', 'Physical or virtual servers on premises or at a host.'),
('endpoint', 'End-user device', 'Laptops, desktops, tablets and phones.'),
('network', 'Network', 'Routers, firewalls, switches, Wi-Fi, internet access.'),
('cloud_service', 'Cloud service', 'Software or infrastructure used as a service: email, office suite, hosting, payment.'),
('media', 'Storage media', 'External disks, USB sticks, backup media, paper archives.'),
('people', 'People', 'Staff and their knowledge, especially key people.'),
('premises', 'Premises', 'Offices, shops, storage rooms, server rooms.'),
('supplier', 'Supplier', 'External providers the company depends on.');

INSERT INTO asset_type_threats (asset_type_id, threat_id, degradation)
SELECT v.t, split_part(x, ':', 1), split_part(x, ':', 2)::double precision
  FROM (VALUES
    ('information', 'T.user_error:0.4 T.admin_error:0.5 T.misconfiguration:0.6 T.software_defect:0.3 T.misdirected_information:0.3 T.malware:0.5 T.ransomware:0.9 T.phishing:0.5 T.account_takeover:0.6 T.unauthorised_access:0.6 T.privilege_abuse:0.5 T.data_exfiltration:0.7 T.interception:0.4 T.media_degradation:0.5 T.fraud:0.4'),
    ('application', 'T.software_defect:0.6 T.admin_error:0.5 T.misconfiguration:0.5 T.change_failure:0.6 T.malware:0.5 T.ransomware:0.8 T.vulnerability_exploit:0.7 T.web_attack:0.8 T.unauthorised_access:0.5 T.supply_chain_compromise:0.6 T.capacity_exhaustion:0.4 T.staff_unavailability:0.3'),
    ('server', 'T.fire:1 T.water_damage:0.8 T.natural_disaster:1 T.power_outage:0.6 T.environmental_failure:0.6 T.hardware_failure:0.8 T.admin_error:0.5 T.misconfiguration:0.5 T.malware:0.6 T.ransomware:1 T.vulnerability_exploit:0.7 T.capacity_exhaustion:0.5 T.change_failure:0.5 T.physical_intrusion:0.6 T.privilege_abuse:0.5'),
    ('endpoint', 'T.fire:0.8 T.water_damage:0.6 T.hardware_failure:0.7 T.user_error:0.3 T.malware:0.7 T.ransomware:0.9 T.phishing:0.6 T.vulnerability_exploit:0.6 T.equipment_theft:1 T.interception:0.3'),
    ('network', 'T.power_outage:0.8 T.hardware_failure:0.7 T.telecom_outage:1 T.admin_error:0.5 T.misconfiguration:0.6 T.vulnerability_exploit:0.6 T.denial_of_service:0.8 T.interception:0.6 T.physical_intrusion:0.3'),
    ('cloud_service', 'T.telecom_outage:0.8 T.supplier_failure:0.9 T.misconfiguration:0.7 T.account_takeover:0.8 T.phishing:0.6 T.unauthorised_access:0.6 T.denial_of_service:0.6 T.ransomware:0.5 T.supply_chain_compromise:0.6 T.admin_error:0.4'),
    ('media', 'T.fire:1 T.water_damage:0.8 T.media_degradation:0.7 T.equipment_theft:1 T.user_error:0.3 T.physical_intrusion:0.5'),
    ('people', 'T.pandemic:0.6 T.staff_unavailability:0.7 T.phishing:0.4 T.fraud:0.5 T.natural_disaster:0.3'),
    ('premises', 'T.fire:1 T.water_damage:0.7 T.natural_disaster:1 T.power_outage:0.5 T.environmental_failure:0.4 T.physical_intrusion:0.6'),
    ('supplier', 'T.supplier_failure:1 T.supply_chain_compromise:0.7 T.pandemic:0.3 T.natural_disaster:0.4 T.misdirected_information:0.3')
  ) v(t, l),
  unnest(string_to_array(v.l, ' ')) x;

INSERT INTO mitigations (threat_id, control_id, effectiveness)
SELECT v.t, split_part(x, ':', 1), split_part(x, ':', 2)::double precision
  FROM (VALUES
    ('T.natural_disaster', 'A.7.5:0.3 A.8.13:0.5 A.8.14:0.5 A.5.30:0.4 A.5.29:0.2'),
    ('T.fire', 'A.7.5:0.5 A.8.13:0.5 A.8.14:0.4 A.5.30:0.3'),
    ('T.water_damage', 'A.7.5:0.5 A.7.8:0.3 A.8.13:0.5'),
    ('T.pandemic', 'A.6.7:0.4 A.5.30:0.3 A.5.29:0.3 A.5.37:0.3'),
    ('T.power_outage', 'A.7.11:0.7 A.8.14:0.4 A.5.30:0.3'),
    ('T.environmental_failure', 'A.7.5:0.5 A.7.11:0.4 A.7.13:0.3'),
    ('T.hardware_failure', 'A.7.13:0.4 A.8.13:0.5 A.8.14:0.6 A.8.6:0.2'),
    ('T.telecom_outage', 'A.8.14:0.6 A.8.21:0.4 A.5.30:0.3'),
    ('T.media_degradation', 'A.7.10:0.4 A.8.13:0.6'),
    ('T.user_error', 'A.6.3:0.4 A.8.13:0.6 A.5.37:0.3 A.8.3:0.2'),
    ('T.admin_error', 'A.5.37:0.4 A.8.32:0.4 A.8.13:0.5 A.8.2:0.2 A.5.3:0.2'),
    ('T.misconfiguration', 'A.8.9:0.6 A.5.23:0.4 A.8.32:0.3 A.5.36:0.3'),
    ('T.software_defect', 'A.8.29:0.5 A.8.25:0.3 A.8.28:0.3 A.8.13:0.4'),
    ('T.misdirected_information', 'A.5.14:0.5 A.5.12:0.3 A.8.12:0.5 A.6.3:0.3'),
    ('T.staff_unavailability', 'A.5.37:0.5 A.5.2:0.2 A.5.30:0.2'),
    ('T.supplier_failure', 'A.5.19:0.3 A.5.20:0.3 A.5.22:0.4 A.5.23:0.3 A.5.30:0.4'),
    ('T.capacity_exhaustion', 'A.8.6:0.7 A.8.16:0.3'),
    ('T.change_failure', 'A.8.32:0.6 A.8.29:0.4 A.8.31:0.3 A.8.13:0.3'),
    ('T.malware', 'A.8.7:0.7 A.8.8:0.5 A.8.19:0.3 A.6.3:0.3 A.8.23:0.3'),
    ('T.ransomware', 'A.8.13:0.7 A.8.7:0.6 A.8.8:0.5 A.8.5:0.4 A.6.3:0.3 A.8.22:0.3'),
    ('T.phishing', 'A.6.3:0.6 A.8.5:0.6 A.8.7:0.4 A.8.23:0.3 A.6.8:0.3'),
    ('T.account_takeover', 'A.8.5:0.8 A.5.17:0.5 A.8.16:0.3 A.5.18:0.3'),
    ('T.unauthorised_access', 'A.5.15:0.5 A.5.18:0.5 A.8.3:0.5 A.8.5:0.4 A.5.16:0.3'),
    ('T.privilege_abuse', 'A.8.2:0.6 A.5.3:0.4 A.8.15:0.4 A.8.18:0.3 A.6.1:0.2'),
    ('T.vulnerability_exploit', 'A.8.8:0.8 A.8.9:0.4 A.8.20:0.4 A.5.7:0.3 A.8.22:0.3'),
    ('T.web_attack', 'A.8.26:0.5 A.8.28:0.5 A.8.29:0.5 A.8.8:0.4 A.8.9:0.3 A.8.20:0.2'),
    ('T.denial_of_service', 'A.8.20:0.4 A.8.21:0.5 A.8.14:0.4 A.8.6:0.2'),
    ('T.fraud', 'A.5.3:0.6 A.6.3:0.4 A.5.14:0.3 A.8.5:0.3'),
    ('T.equipment_theft', 'A.7.9:0.5 A.8.24:0.6 A.8.1:0.5 A.7.2:0.3'),
    ('T.physical_intrusion', 'A.7.1:0.5 A.7.2:0.5 A.7.3:0.4 A.7.4:0.5'),
    ('T.data_exfiltration', 'A.8.12:0.6 A.5.15:0.4 A.6.6:0.3 A.8.15:0.3 A.6.1:0.2 A.5.18:0.3'),
    ('T.interception', 'A.8.24:0.7 A.8.20:0.4 A.5.14:0.3 A.6.7:0.2'),
    ('T.supply_chain_compromise', 'A.5.19:0.4 A.5.21:0.5 A.5.20:0.3 A.8.8:0.3 A.8.16:0.3')
  ) v(t, l),
  unnest(string_to_array(v.l, ' ')) x;
