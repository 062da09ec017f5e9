# schema/: numbered MariaDB migrations, installed where cm_db_migrate reads them (schema_dir).
# Automake takes no wildcards: list every new NNN_*.sql here (dist_ also puts it in the tarball).
schemadir = $(pkgdatadir)/schema
dist_schema_DATA = schema/001_init.sql schema/002_org_model.sql schema/004_dashboard_indexes.sql schema/005_domains.sql schema/007_lifecycle.sql schema/008_bench_indexes.sql schema/010_cert_counts.sql schema/011_cert_daily.sql schema/012_cert_names.sql
dist_schema_DATA += schema/014_dept_auto_approve.sql
dist_schema_DATA += schema/013_ad_servers.sql
dist_schema_DATA += schema/015_type_auto_approve.sql
dist_schema_DATA += schema/016_cert_names_triggers.sql
dist_schema_DATA += schema/017_cert_renewal.sql
dist_schema_DATA += schema/019_cert_recovered.sql
dist_schema_DATA += schema/020_access_code_hash.sql
dist_schema_DATA += schema/021_request_flow.sql
dist_schema_DATA += schema/023_trigger_definer.sql
dist_schema_DATA += schema/025_crl.sql
dist_schema_DATA += schema/026_outbox.sql
dist_schema_DATA += schema/027_ocsp.sql
dist_schema_DATA += schema/028_scep.sql
dist_schema_DATA += schema/029_csr_retention.sql
dist_schema_DATA += schema/030_autoenroll.sql
