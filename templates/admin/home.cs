<?cs # home.cs: GET /admin/ — greeting and certificate counts. ?><?cs include:"admin/header.cs" ?>
<?cs include:"admin/recovery_alarm.cs" ?>
<h1>Welcome, <?cs var:User.name ?></h1>
<p>You are logged in as <strong><?cs var:User.principal ?></strong>, <?cs var:User.role ?> of <?cs var:Customer.name ?>.</p>
<section class="counts">
  <h2>Certificates</h2>
  <p class="scope"><?cs var:Counts.scope ?>.</p>
  <table class="counts" id="home-counts">
    <tr><th>Issued</th><td><?cs var:Counts.issued ?></td></tr>
    <tr><th>Requested</th><td><?cs var:Counts.requested ?></td></tr>
    <tr><th>Revoked</th><td><?cs var:Counts.revoked ?></td></tr>
    <tr><th>Expired</th><td><?cs var:Counts.expired ?></td></tr>
    <tr><th>Declined</th><td><?cs var:Counts.declined ?></td></tr>
    <tr class="total"><th>All</th><td class="total"><?cs var:Counts.total ?></td></tr>
  </table>
</section>
<ul class="actions">
  <li><a href="/admin/certificates/new">Issue a certificate from a CSR</a></li>
  <li><a href="/admin/certificates">List certificates</a></li>
  <li><a href="/admin/dashboard">Dashboard</a></li>
</ul>
<?cs include:"admin/footer.cs" ?>
