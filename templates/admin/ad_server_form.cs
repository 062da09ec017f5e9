<?cs # ad_server_form.cs: a new Active Directory server, or one server's page: edit (LDAP, CA, users' base DN, default, bind method), Verify, the organisations bound to it, delete (MRAO). ?><?cs include:"admin/header.cs" ?>
<?cs if:Banner.text ?><div class="banner-success" role="status" id="banner"><p><?cs var:Banner.text ?></p></div><?cs /if ?>
<?cs if:subcount(Errors) ?>
<div class="error-summary" role="alert" tabindex="-1">
  <h2>There is a problem</h2>
  <ul><?cs each:e = Errors ?><li><a href="#<?cs var:name(e) ?>"><?cs var:e ?></a></li><?cs /each ?></ul>
</div>
<?cs /if ?>
<h1><?cs if:Server.id ?>AD server <?cs var:Server.name ?><?cs if:Server.is_default == "1" ?> <span class="tag tag-good" id="default-tag">default</span><?cs /if ?><?cs else ?>New AD server<?cs /if ?></h1>
<p><a href="/admin/ad-servers">All AD servers</a></p>
<?cs if:Verify.done ?>
<section class="verify-result" id="verify-result" role="status">
  <?cs if:Verify.ok == "1" ?><p class="ok"><span class="tag tag-good">verified</span> <?cs var:Verify.message ?></p>
  <?cs else ?><p class="error-text"><span class="tag tag-bad">failed</span> Stage: <strong id="verify-stage"><?cs var:Verify.stage ?></strong>. <?cs var:Verify.message ?></p><?cs /if ?>
</section>
<?cs /if ?>
<form class="ad-server" method="post" enctype="multipart/form-data" action="<?cs if:Server.id ?>/admin/ad-servers/<?cs var:Server.id ?><?cs else ?>/admin/ad-servers/new<?cs /if ?>">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <div class="field<?cs if:Errors.name ?> has-error<?cs /if ?>">
    <label for="name">Name</label>
    <input id="name" name="name" type="text" size="50" maxlength="300" value="<?cs var:Form.name ?>">
    <?cs if:Errors.name ?><p class="error-text"><?cs var:Errors.name ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.domain ?> has-error<?cs /if ?>">
    <label for="domain">Active Directory domain</label>
    <input id="domain" name="domain" type="text" size="50" maxlength="300" value="<?cs var:Form.domain ?>">
    <p class="small">The DNS name of the domain, such as corp.example.com; its Kerberos realm is the same in capitals<?cs if:Server.realm ?> (<?cs var:Server.realm ?>)<?cs /if ?>.</p>
    <?cs if:Errors.domain ?><p class="error-text"><?cs var:Errors.domain ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.ldap_uris ?> has-error<?cs /if ?>">
    <label for="ldap_uris">LDAP URIs</label>
    <input id="ldap_uris" name="ldap_uris" type="text" size="70" maxlength="1100" value="<?cs var:Form.ldap_uris ?>">
    <p class="small">ldaps://host[:port] or ldap://host[:port], separated by spaces and tried in order: ldaps://dc1.corp.example.com ldaps://dc2.corp.example.com</p>
    <?cs if:Errors.ldap_uris ?><p class="error-text"><?cs var:Errors.ldap_uris ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.base_dn ?> has-error<?cs /if ?>">
    <label for="base_dn">Base DN</label>
    <input id="base_dn" name="base_dn" type="text" size="70" maxlength="1100" value="<?cs var:Form.base_dn ?>">
    <p class="small">The directory's base, such as DC=corp,DC=example,DC=com.</p>
    <?cs if:Errors.base_dn ?><p class="error-text"><?cs var:Errors.base_dn ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.users_base_dn ?> has-error<?cs /if ?>">
    <label for="users_base_dn">Users' base DN (optional)</label>
    <input id="users_base_dn" name="users_base_dn" type="text" size="70" maxlength="1100" value="<?cs var:Form.users_base_dn ?>">
    <p class="small">Where users are searched; empty: the base DN. Such as OU=Staff,DC=corp,DC=example,DC=com.</p>
    <?cs if:Errors.users_base_dn ?><p class="error-text"><?cs var:Errors.users_base_dn ?></p><?cs /if ?>
  </div>
  <div class="field">
    <label><input type="checkbox" id="starttls" name="starttls" value="1"<?cs if:Form.starttls == "1" ?> checked<?cs /if ?>> Require StartTLS on ldap:// URIs</label>
    <p class="small">ldaps:// always uses TLS. Turn this off only where the directory signs and seals the Kerberos session itself.</p>
  </div>
  <fieldset class="field<?cs if:Errors.ca_pem ?> has-error<?cs /if ?>" id="ca">
    <legend>CA certificates that verify the server's TLS certificate</legend>
    <?cs if:CACount > 0 ?>
    <div class="table-scroll"><table class="list ca-certs">
      <thead><tr><th>Subject</th><th>Expires</th><th>SHA-256 fingerprint</th></tr></thead>
      <tbody><?cs each:a = CA ?><tr><td><?cs var:a.subject ?></td><td><?cs var:a.not_after ?><?cs if:a.expired ?> <span class="tag tag-bad">expired</span><?cs /if ?></td><td class="fingerprint"><?cs var:a.sha256 ?></td></tr>
      <?cs /each ?></tbody>
    </table></div>
    <label><input type="checkbox" id="ca_remove" name="ca_remove" value="1"<?cs if:Form.ca_remove == "1" ?> checked<?cs /if ?>> Remove these CA certificates (use the system's trust store)</label>
    <?cs elif:Server.id ?><p class="small" id="ca-none">None stored: the system's trust store verifies the server.</p><?cs /if ?>
    <?cs if:CAError ?><p class="error-text"><?cs var:CAError ?></p><?cs /if ?>
    <label for="ca_pem"><?cs if:CACount > 0 ?>Replace them: paste<?cs else ?>Paste<?cs /if ?> PEM certificates</label>
    <textarea id="ca_pem" name="ca_pem" rows="5" cols="72" spellcheck="false"><?cs var:Form.ca_pem ?></textarea>
    <label for="ca_file">or upload a PEM file</label>
    <input id="ca_file" name="ca_file" type="file" accept=".pem,.crt,.cer,application/x-pem-file">
    <p class="small">Only CERTIFICATE blocks, at most 16 certificates and 64 KiB. Empty: <?cs if:CACount > 0 ?>keep the stored ones<?cs else ?>the system's trust store<?cs /if ?>.</p>
    <?cs if:Errors.ca_pem ?><p class="error-text"><?cs var:Errors.ca_pem ?></p><?cs /if ?>
  </fieldset>
  <div class="field">
    <?cs if:Server.is_default == "1" ?><p id="is_default">This is the customer's default AD server: auto-enrollment uses it when an organisation has none of its own. To change that, set another server as default.</p>
    <?cs else ?><label><input type="checkbox" id="is_default" name="is_default" value="1"<?cs if:Form.is_default == "1" ?> checked<?cs /if ?>> Set as default</label>
    <p class="small"><?cs if:Server.first ?>The customer's first AD server is its default.<?cs else ?>Exactly one server is the default: auto-enrollment uses it when an organisation has none of its own. Ticking this moves the default here.<?cs /if ?></p><?cs /if ?>
  </div>
  <fieldset class="field<?cs if:Errors.bind_method ?> has-error<?cs /if ?>" role="radiogroup" id="bind_method">
    <legend>How certmint binds to the directory</legend>
    <?cs if:Errors.bind_method ?><p class="error-text"><?cs var:Errors.bind_method ?></p><?cs /if ?>
    <div><label><input type="radio" id="bind_method-gssapi" name="bind_method" value="gssapi"<?cs if:Form.bind_method != "simple" ?> checked<?cs /if ?>> Kerberos (SASL GSSAPI) with the realm's keytab — no password stored</label>
    <p class="small" id="realm-hint"><?cs if:Realm.realm ?>Uses the keytab of the Kerberos realm <?cs var:Realm.realm ?> (<?cs var:Realm.spn ?>): its service account's own principal binds.<?cs if:Realm.problem ?> <span class="error-text">Its keytab has a problem: <?cs var:Realm.problem ?></span><?cs /if ?><?cs elif:Server.id ?><span class="warning" id="no-realm">No live Kerberos realm of yours has the Windows domain <?cs var:Form.domain ?>: add one (with its keytab) before Kerberos binds can work.</span><?cs else ?>Uses the keytab of your Kerberos realm for this domain.<?cs /if ?></p></div>
    <div><label><input type="radio" id="bind_method-simple" name="bind_method" value="simple"<?cs if:Form.bind_method == "simple" ?> checked<?cs /if ?>> Login DN and password (simple bind)</label>
    <p class="small">For directories that need it. Only over TLS (ldaps:// or StartTLS).<?cs if:Server.key_configured != "1" ?> <span class="warning" id="no-key">Not available: certmint.conf has no [secrets] ldap_bind_key_file to seal passwords with.</span><?cs /if ?></p>
    <div class="field<?cs if:Errors.bind_dn ?> has-error<?cs /if ?>">
      <label for="bind_dn">Login DN</label>
      <input id="bind_dn" name="bind_dn" type="text" size="70" maxlength="1100" value="<?cs var:Form.bind_dn ?>">
      <?cs if:Errors.bind_dn ?><p class="error-text"><?cs var:Errors.bind_dn ?></p><?cs /if ?>
    </div>
    <div class="field<?cs if:Errors.bind_password ?> has-error<?cs /if ?>">
      <label for="bind_password">Password</label>
      <input id="bind_password" name="bind_password" type="password" size="40" maxlength="512" autocomplete="new-password" value="">
      <p class="small"><?cs if:Server.has_password == "1" ?>A password is stored (sealed; never shown): leave empty to keep the stored password.<?cs elif:Server.bind_method == "simple" ?><span class="warning" id="password-needed">Password needed: none is stored.</span><?cs else ?>Stored sealed with a key the database does not hold; never shown again.<?cs /if ?></p>
      <?cs if:Errors.bind_password ?><p class="error-text"><?cs var:Errors.bind_password ?></p><?cs /if ?>
    </div></div>
  </fieldset>
  <div class="buttons"><button type="submit" class="primary"><?cs if:Server.id ?>Save<?cs else ?>Add AD server<?cs /if ?></button></div>
</form>
<?cs if:Server.id ?>
<section class="verify">
  <h2>Verify</h2>
  <p class="small">Connects and binds as auto-enrollment does, reads the base DN and, with a test user, finds that user. Each step waits at most 5 seconds.</p>
  <form class="verify" method="post" action="/admin/ad-servers/<?cs var:Server.id ?>/verify">
    <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
    <div class="field<?cs if:Errors.test_user ?> has-error<?cs /if ?>">
      <label for="test_user">Test user (optional)</label>
      <input id="test_user" name="test_user" type="text" size="40" maxlength="300" value="<?cs var:Form.test_user ?>">
      <?cs if:Errors.test_user ?><p class="error-text"><?cs var:Errors.test_user ?></p><?cs /if ?>
    </div>
    <div class="buttons"><button type="submit" id="verify">Verify</button></div>
  </form>
</section>
<section class="bound">
  <h2>Organisations using this server</h2>
  <?cs if:subcount(Orgs) ?><ul><?cs each:o = Orgs ?><li><a href="/admin/organizations/<?cs var:o.id ?>"><?cs var:o.name ?></a></li><?cs /each ?></ul>
  <?cs if:Bound.more ?><p class="small">And more.</p><?cs /if ?>
  <?cs else ?><p><em>None.</em></p><?cs /if ?>
</section>
<div class="delete">
  <div class="field<?cs if:Errors.delete ?> has-error<?cs /if ?>" id="delete">
    <a class="button danger" href="/admin/ad-servers/<?cs var:Server.id ?>/delete">Delete AD server…</a>
    <span class="small">Refused while organisations use it, or while it is the default and other servers exist.</span>
    <?cs if:Errors.delete ?><p class="error-text"><?cs var:Errors.delete ?></p><?cs /if ?>
  </div>
</div>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
