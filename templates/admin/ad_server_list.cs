<?cs # ad_server_list.cs: the customer's Active Directory servers (MRAO): default, bind method, TLS, CA count, organisations; sortable by the column headings; CSV export and import. ?><?cs include:"admin/header.cs" ?>
<?cs if:Banner.text ?><div class="banner-success" role="status" id="banner"><p><?cs var:Banner.text ?></p></div><?cs /if ?>
<h1>Active Directory servers</h1>
<p class="small">Each organisation may be bound to one of these servers, else the default one is used; auto-enrollment checks its users there over LDAP, with Kerberos (the realm's keytab, no password stored) or a login DN and a sealed password.</p>
<p><a class="button" href="/admin/ad-servers/new">New AD server</a> <a class="button secondary" href="/admin/ad-servers/export.csv" id="export">Export CSV</a> <a class="button secondary" href="/admin/ad-servers/import" id="import">Import CSV</a></p>
<?cs if:List.count > 0 ?>
<p id="counts"><?cs var:List.count ?> server<?cs if:List.count != 1 ?>s<?cs /if ?>: <?cs var:List.gssapi ?> Kerberos, <?cs var:List.simple ?> simple bind<?cs if:List.password_needed > 0 ?>, <strong><?cs var:List.password_needed ?> needing a password</strong><?cs /if ?><?cs if:List.no_tls > 0 ?>, <strong><?cs var:List.no_tls ?> without TLS or SASL sealing</strong><?cs /if ?>.</p>
<div class="table-scroll">
<table class="list ad-servers">
  <thead><tr>
    <th<?cs if:List.sort == "name" ?> aria-sort="ascending"<?cs /if ?>><a href="/admin/ad-servers?sort=name">Name</a></th>
    <th<?cs if:List.sort == "default" ?> aria-sort="descending"<?cs /if ?>><a href="/admin/ad-servers?sort=default">Default</a></th>
    <th<?cs if:List.sort == "domain" ?> aria-sort="ascending"<?cs /if ?>><a href="/admin/ad-servers?sort=domain">Domain (Kerberos realm)</a></th>
    <th>LDAP URIs</th><th>Base DN</th>
    <th<?cs if:List.sort == "bind" ?> aria-sort="ascending"<?cs /if ?>><a href="/admin/ad-servers?sort=bind">Bind</a></th>
    <th>TLS</th><th>CA certificates</th><th>Organisations</th></tr></thead>
  <tbody>
  <?cs each:s = Servers ?><tr><td><a href="/admin/ad-servers/<?cs var:s.id ?>"><?cs var:s.name ?></a></td>
    <td><?cs if:s.is_default ?><span class="tag tag-good">default</span><?cs /if ?></td>
    <td class="wrap"><?cs var:s.domain ?> (<?cs var:s.realm ?>)</td><td class="wrap"><?cs var:s.ldap_uris ?></td>
    <td class="wrap"><?cs var:s.base_dn ?><?cs if:s.users_base_dn ?><br><span class="small">users: <?cs var:s.users_base_dn ?></span><?cs /if ?></td>
    <td><?cs if:s.bind == "simple" ?>simple<?cs if:s.password_needed ?> <span class="tag tag-bad">password needed</span><?cs /if ?><?cs else ?>Kerberos<?cs /if ?></td>
    <td><?cs if:s.tls == "none" ?><span class="tag tag-bad">none</span><?cs elif:s.tls == "SASL sealing" ?><span class="tag tag-wait">SASL sealing</span><?cs else ?><span class="tag tag-good"><?cs var:s.tls ?></span><?cs /if ?></td>
    <td><?cs if:s.ca_count > 0 ?><?cs var:s.ca_count ?><?cs else ?>system<?cs /if ?></td><td><?cs var:s.orgs ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
</div>
<?cs if:List.more ?><p class="small">Only the first 500 servers are shown.</p><?cs /if ?>
<?cs else ?><p><em>No Active Directory servers yet.</em></p><?cs /if ?>
<?cs include:"admin/footer.cs" ?>
