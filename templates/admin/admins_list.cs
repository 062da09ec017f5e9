<?cs # admins_list.cs: the administrators the policy lets the caller see. ?><?cs include:"admin/header.cs" ?>
<h1>Administrators</h1>
<p><?cs if:Can.create == "1" ?><a class="button" href="/admin/admins/new">New administrator</a>
<a class="button" href="/admin/admins/import">Import CSV</a><?cs /if ?>
<a class="button" href="/admin/admins/export.csv">Export CSV</a></p>
<?cs if:List.count > 0 ?>
<table class="list admins">
  <thead><tr><th>Principal</th><th>Name</th><th>E-mail</th><th>Role</th><th>Scope</th><th>Certificate types</th><th>Enabled</th></tr></thead>
  <tbody>
  <?cs each:a = Admins ?><tr><td><a href="/admin/admins/<?cs var:a.id ?>"><?cs var:a.principal ?></a></td><td><?cs var:a.name ?></td><td><?cs var:a.email ?></td><td><?cs var:a.role ?></td><td><?cs if:a.scope ?><?cs var:a.scope ?><?cs else ?>whole customer<?cs /if ?></td><td><?cs var:a.types ?></td><td><?cs if:a.enabled == "1" ?>yes<?cs else ?>no<?cs /if ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs if:List.more ?><p class="small">Only the first 500 administrators are shown.</p><?cs /if ?>
<?cs else ?><p><em>No administrators.</em></p><?cs /if ?>
<?cs include:"admin/footer.cs" ?>
