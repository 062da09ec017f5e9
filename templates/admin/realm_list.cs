<?cs # realm_list.cs: Settings -> Kerberos realms (MRAO): the Windows domains whose tickets the customer's autoenroll URL accepts, each keytab's state, and whether Apache took the last configuration. ?><?cs include:"admin/header.cs" ?>
<?cs if:Banner.done == "added" ?><div class="banner-success" role="status" id="realm-done"><p>Kerberos realm added; the Apache configuration was rewritten.</p></div>
<?cs elif:Banner.done == "saved" ?><div class="banner-success" role="status" id="realm-done"><p>Kerberos realm saved; the Apache configuration was rewritten.</p></div>
<?cs elif:Banner.done == "deleted" ?><div class="banner-success" role="status" id="realm-done"><p>Kerberos realm deleted; the Apache configuration was rewritten.</p></div><?cs /if ?>
<?cs if:Banner.apply_failed ?><div class="error-summary" role="alert" tabindex="-1" id="apply-failed"><h2>The Apache configuration was not written</h2><p>The change is saved, but the keytab or Location file could not be written; this has been logged. Ask the operator to check [autoenroll] keytab_dir and apache_conf_dir, then save again.</p></div><?cs /if ?>
<h1>Kerberos realms</h1>
<p class="small">Auto-enrollment (<a href="/admin/autoenroll">client downloads</a>) accepts the Kerberos tickets of these Windows domains at /customer/<?cs var:Customer.uri ?>/autoenroll. Each realm needs the keytab of the service account that holds its HTTP service principal, with AES keys.</p>
<div class="reload-state" id="reload-state">
<?cs if:Reload.state == "ok" ?><p><span class="tag tag-good">OK</span> Apache reloaded at <?cs var:Reload.when ?>.</p>
<?cs elif:Reload.state == "failed" ?><p><span class="tag tag-bad">failed</span> Apache did not reload (<?cs var:Reload.when ?>): <?cs var:Reload.message ?></p>
<?cs elif:Reload.state == "unreadable" ?><p><span class="tag tag-bad">unknown</span> Apache's reload state cannot be read.</p>
<?cs else ?><p class="small">Apache has not reloaded a configuration written here yet.</p><?cs /if ?>
<?cs if:Reload.pending ?><p class="small">A newer configuration waits for Apache to reload.</p><?cs /if ?>
</div>
<p><a class="button" href="/admin/kerberos-realms/new">New Kerberos realm</a></p>
<?cs if:List.count > 0 ?>
<div class="table-scroll"><table class="list realms">
  <thead><tr><th>Windows domain</th><th>Realm</th><th>Service principal</th><th>Keytab</th><th>Principals</th><th>Last check (UTC)</th></tr></thead>
  <tbody>
  <?cs each:r = Realms ?><tr><td><a href="/admin/kerberos-realms/<?cs var:r.id ?>"><?cs var:r.domain ?></a></td><td><?cs var:r.realm ?></td><td><?cs var:r.spn ?></td>
  <td><?cs if:r.state == "ok" ?><span class="tag tag-good">OK</span><?cs elif:r.state == "missing" ?><span class="tag tag-bad">missing</span><?cs else ?><span class="tag tag-bad">problem</span> <?cs var:r.problem ?><?cs /if ?></td>
  <td class="small principals"><?cs var:r.principals ?></td><td><?cs var:r.checked_at ?></td></tr>
  <?cs /each ?>
  </tbody>
</table></div>
<?cs if:List.more ?><p class="small">Only the first 200 realms are shown.</p><?cs /if ?>
<?cs else ?><p><em>No Kerberos realms yet: auto-enrollment accepts no tickets.</em></p><?cs /if ?>
<?cs include:"admin/footer.cs" ?>
