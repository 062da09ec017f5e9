<?cs # cert_list.cs: the customer's certificates with filters (type, status, organisation, department, issuer, expiry), search, sort and keyset pages that keep the filters. ?><?cs include:"admin/header.cs" ?>
<h1>Certificates</h1>
<p><a href="/admin/certificates/new">Request or issue a certificate from a CSR</a></p>
<form class="filters" method="get" action="/admin/certificates">
  <div class="field<?cs if:Errors.q ?> has-error<?cs /if ?>">
    <label for="q">Search by the start of a name: CN or subjectAltName (host name, IP address, e-mail address), or serial number in hex ("0a1b2c…" or "0a:1b:2c…"); "example.com" also finds "*.example.com"</label>
    <input id="q" name="q" type="search" size="32" maxlength="128" value="<?cs var:Filter.q ?>">
    <?cs if:Errors.q ?><p class="error-text"><?cs var:Errors.q ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.type ?> has-error<?cs /if ?>">
    <label for="type">Type</label>
    <select id="type" name="type">
      <option value="">any</option>
      <option value="ssl"<?cs if:Filter.type == "ssl" ?> selected<?cs /if ?>>SSL</option>
      <option value="client"<?cs if:Filter.type == "client" ?> selected<?cs /if ?>>client/S-MIME</option>
      <option value="codesign"<?cs if:Filter.type == "codesign" ?> selected<?cs /if ?>>code signing</option>
      <option value="ocsp"<?cs if:Filter.type == "ocsp" ?> selected<?cs /if ?>>OCSP</option>
    </select>
    <?cs if:Errors.type ?><p class="error-text"><?cs var:Errors.type ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.status ?> has-error<?cs /if ?>">
    <label for="status">Status</label>
    <select id="status" name="status">
      <option value="">any</option>
      <?cs each:s = StatusNames ?><option value="<?cs var:s ?>"<?cs if:s == Filter.status ?> selected<?cs /if ?>><?cs var:s ?></option>
      <?cs /each ?>
    </select>
    <?cs if:Errors.status ?><p class="error-text"><?cs var:Errors.status ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.org ?> has-error<?cs /if ?>">
    <label for="org">Organisation</label>
    <select id="org" name="org">
      <option value="">any</option>
      <?cs each:o = Orgs ?><option value="<?cs var:o.id ?>"<?cs if:o.id == Filter.org ?> selected<?cs /if ?>><?cs var:o.name ?></option>
      <?cs /each ?>
    </select>
    <?cs if:Errors.org ?><p class="error-text"><?cs var:Errors.org ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.dept ?> has-error<?cs /if ?>">
    <label for="dept">Department</label>
    <select id="dept" name="dept">
      <option value="">any</option>
      <?cs each:d = Depts ?><option value="<?cs var:d.id ?>"<?cs if:d.id == Filter.dept ?> selected<?cs /if ?>><?cs var:d.org ?> / <?cs var:d.name ?></option>
      <?cs /each ?>
    </select>
    <?cs if:Errors.dept ?><p class="error-text"><?cs var:Errors.dept ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.issuer ?> has-error<?cs /if ?>">
    <label for="issuer">Issuing CA</label>
    <select id="issuer" name="issuer">
      <option value="">any</option>
      <?cs each:i = Issuers ?><option value="<?cs var:i.id ?>"<?cs if:i.id == Filter.issuer ?> selected<?cs /if ?>><?cs var:i.subject ?> (until <?cs var:i.not_after ?>)</option>
      <?cs /each ?>
    </select>
    <?cs if:Errors.issuer ?><p class="error-text"><?cs var:Errors.issuer ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.expiring ?> has-error<?cs /if ?>">
    <label for="expiring">Expiring within (days; listed soonest first)</label>
    <input id="expiring" name="expiring" type="text" inputmode="numeric" size="5" value="<?cs var:Filter.expiring ?>">
    <?cs if:Errors.expiring ?><p class="error-text"><?cs var:Errors.expiring ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.sort ?> has-error<?cs /if ?>">
    <label for="sort">Sort (a search is listed by the matching name)</label>
    <select id="sort" name="sort">
      <option value="created"<?cs if:Filter.sort == "created" ?> selected<?cs /if ?>>newest first</option>
      <option value="expiry"<?cs if:Filter.sort == "expiry" ?> selected<?cs /if ?>>expiring first</option>
      <option value="cn"<?cs if:Filter.sort == "cn" ?> selected<?cs /if ?>>common name A–Z</option>
    </select>
    <?cs if:Errors.sort ?><p class="error-text"><?cs var:Errors.sort ?></p><?cs /if ?>
  </div>
  <?cs if:Errors.page ?><p class="error-text"><?cs var:Errors.page ?></p><?cs /if ?>
  <div class="buttons"><button type="submit" class="primary">Show</button> <a href="/admin/certificates">Clear</a></div>
</form>
<?cs if:subcount(Errors) ?>
<p class="empty">Nothing is listed until the filter above is corrected.</p>
<?cs elif:List.count == 0 ?>
<p class="empty">No certificates<?cs if:List.paged ?> on this page<?cs /if ?>.</p>
<?cs else ?>
<table class="list">
  <thead><tr><th>Common name</th><?cs if:List.by_name ?><th>Matching name</th><?cs /if ?><th>Serial</th><th>Type</th><th>Profile</th><th>Status</th><th>Expires (UTC)</th></tr></thead>
  <tbody>
  <?cs each:c = Certs ?><tr>
    <td><a href="/admin/certificates/<?cs var:c.id ?>"><?cs if:c.cn ?><?cs var:c.cn ?><?cs else ?>(no CN)<?cs /if ?></a></td>
    <?cs if:List.by_name ?><td><?cs if:c.kind == "wildcard" ?>*.<?cs /if ?><?cs var:c.name ?> <span class="small">(<?cs if:c.kind == "wildcard" ?>dns<?cs else ?><?cs var:c.kind ?><?cs /if ?>)</span></td><?cs /if ?>
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
<?cs if:List.more ?>
<form class="pager" method="get" action="/admin/certificates">
  <input type="hidden" name="q" value="<?cs var:Filter.q ?>">
  <input type="hidden" name="type" value="<?cs var:Filter.type ?>">
  <input type="hidden" name="status" value="<?cs var:Filter.status ?>">
  <input type="hidden" name="org" value="<?cs var:Filter.org ?>">
  <input type="hidden" name="dept" value="<?cs var:Filter.dept ?>">
  <input type="hidden" name="issuer" value="<?cs var:Filter.issuer ?>">
  <input type="hidden" name="expiring" value="<?cs var:Filter.expiring ?>">
  <input type="hidden" name="sort" value="<?cs var:Filter.sort ?>">
  <?cs if:List.by_name ?>
  <input type="hidden" name="after_name" value="<?cs var:List.next_name ?>">
  <input type="hidden" name="after_id" value="<?cs var:List.next ?>">
  <?cs elif:List.next_na ?>
  <input type="hidden" name="after_na" value="<?cs var:List.next_na ?>">
  <input type="hidden" name="after_id" value="<?cs var:List.next ?>">
  <?cs elif:Filter.sort == "cn" ?>
  <?cs if:List.next_nocn ?><input type="hidden" name="after_nocn" value="1"><?cs else ?><input type="hidden" name="after_cn" value="<?cs var:List.next_cn ?>"><?cs /if ?>
  <input type="hidden" name="after_id" value="<?cs var:List.next ?>">
  <?cs else ?>
  <input type="hidden" name="before" value="<?cs var:List.next ?>">
  <?cs /if ?>
  <button type="submit" class="secondary">Next page</button>
</form>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
