<?cs # ad_server_list.cs: the customer's Active Directory servers (MRAO), with how many organisations use each. ?><?cs include:"admin/header.cs" ?>
<h1>Active Directory servers</h1>
<p class="small">Each organisation may be bound to one of these servers; auto-enrollment checks its users there over LDAP with Kerberos (the keytab is the operator's, no password is stored).</p>
<p><a class="button" href="/admin/ad-servers/new">New AD server</a></p>
<?cs if:List.count > 0 ?>
<table class="list ad-servers">
  <thead><tr><th>Name</th><th>Domain (Kerberos realm)</th><th>LDAP URIs</th><th>Base DN</th><th>StartTLS</th><th>Organisations</th></tr></thead>
  <tbody>
  <?cs each:s = Servers ?><tr><td><a href="/admin/ad-servers/<?cs var:s.id ?>"><?cs var:s.name ?></a></td><td><?cs var:s.domain ?> (<?cs var:s.realm ?>)</td><td><?cs var:s.ldap_uris ?></td><td><?cs var:s.base_dn ?></td><td><?cs var:s.starttls ?></td><td><?cs var:s.orgs ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs if:List.more ?><p class="small">Only the first 500 servers are shown.</p><?cs /if ?>
<?cs else ?><p><em>No Active Directory servers yet.</em></p><?cs /if ?>
<?cs include:"admin/footer.cs" ?>
