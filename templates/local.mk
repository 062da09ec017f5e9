# templates/: ClearSilver templates, one folder per program; installed under $(pkgdatadir)/templates.
admintemplatesdir = $(pkgdatadir)/templates/admin
dist_admintemplates_DATA = \
	templates/admin/header.cs \
	templates/admin/footer.cs \
	templates/admin/error.cs \
	templates/admin/home.cs \
	templates/admin/recovery_alarm.cs \
	templates/admin/csr_form.cs \
	templates/admin/cert_list.cs \
	templates/admin/cert_view.cs \
	templates/admin/org_list.cs \
	templates/admin/admins_list.cs \
	templates/admin/admins_form.cs \
	templates/admin/admins_import.cs \
	templates/admin/domain_list.cs \
	templates/admin/domain_form.cs \
	templates/admin/domain_view.cs \
	templates/admin/ad_server_list.cs \
	templates/admin/realm_list.cs \
	templates/admin/realm_form.cs \
	templates/admin/autoenroll_clients.cs \
	templates/admin/ad_server_form.cs \
	templates/admin/ad_server_import.cs \
	templates/admin/org_form.cs \
	templates/admin/org_tabs.cs \
	templates/admin/dept_form.cs \
	templates/admin/audit.cs \
	templates/admin/dashboard.cs \
	templates/admin/persons_list.cs \
	templates/admin/persons_form.cs \
	templates/admin/persons_import.cs \
	templates/admin/confirm.cs \
	templates/admin/signed_out.cs \
	templates/admin/access_code.cs \
	templates/admin/access_code_done.cs \
	templates/admin/customer_settings.cs \
	templates/admin/outbox.cs \
	templates/admin/scep.cs \
	templates/admin/scep_settings.cs \
	templates/admin/scep_pending.cs \
	templates/admin/scep_mobileconfig.cs
