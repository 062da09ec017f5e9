<?cs # cert_list.cs: the customer's certificates, newest first, keyset pages. ?><?cs include:"admin/header.cs" ?>
<h1>Certificates</h1>
<p><a href="/admin/certificates/new">Issue a certificate from a CSR</a></p>
<?cs if:List.count == 0 ?>
<p class="empty">No certificates<?cs if:List.before ?> on this page<?cs /if ?>.</p>
<?cs else ?>
<table class="list">
  <thead><tr><th>Common name</th><th>Serial</th><th>Type</th><th>Profile</th><th>Status</th><th>Expires (UTC)</th></tr></thead>
  <tbody>
  <?cs each:c = Certs ?><tr>
    <td><a href="/admin/certificates/<?cs var:c.id ?>"><?cs if:c.cn ?><?cs var:c.cn ?><?cs else ?>(no CN)<?cs /if ?></a></td>
    <td class="mono"><?cs var:c.serial ?></td>
    <td><?cs var:c.type ?></td>
    <td><?cs var:c.profile ?></td>
    <td class="status-<?cs var:c.status ?>"><?cs var:c.status ?></td>
    <td><?cs var:c.not_after ?></td>
  </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs /if ?>
<p class="pager"><?cs if:List.before ?><a href="/admin/certificates">Newest</a><?cs /if ?>
<?cs if:List.next ?> <a href="/admin/certificates?before=<?cs var:List.next ?>">Older</a><?cs /if ?></p>
<?cs include:"admin/footer.cs" ?>
