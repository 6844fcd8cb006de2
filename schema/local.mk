# SPDX-License-Identifier: ISC
# Numbered migrations, applied in order by `userpatch-admin migrate`.
dist_schema_DATA += schema/001_base.sql schema/002_users.sql
dist_schema_DATA += schema/004_identifiers.sql
dist_schema_DATA += schema/006_devices.sql
dist_schema_DATA += schema/003_usage_slots.sql
dist_schema_DATA += schema/005_groups.sql
dist_schema_DATA += schema/008_list_scale.sql
dist_schema_DATA += schema/010_events.sql
dist_schema_DATA += schema/012_retention.sql
dist_schema_DATA += schema/009_trackers.sql
dist_schema_DATA += schema/013_webhooks.sql
dist_schema_DATA += schema/014_import_runs.sql
dist_schema_DATA += schema/015_audit_events.sql
