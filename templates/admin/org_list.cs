<?cs # org_list.cs: the organisations in the administrator's scope. ?><?cs include:"admin/header.cs" ?>
<h1>Organisations</h1>
<?cs if:Can.create ?><p><a class="button" href="/admin/organizations/new">New organisation</a></p><?cs /if ?>
<?cs if:List.count > 0 ?>
<table class="list orgs">
  <thead><tr><th>Name</th><th>City</th><th>Country</th><th>Departments</th></tr></thead>
  <tbody>
  <?cs each:o = Orgs ?><tr><td><a href="/admin/organizations/<?cs var:o.id ?>"><?cs var:o.name ?></a></td><td><?cs var:o.city ?></td><td><?cs var:o.country ?></td><td><?cs var:o.depts ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs if:List.more ?><p class="small">Only the first 500 organisations are shown.</p><?cs /if ?>
<?cs else ?><p><em>No organisations.</em></p><?cs /if ?>
<?cs include:"admin/footer.cs" ?>
