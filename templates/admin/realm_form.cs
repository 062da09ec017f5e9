<?cs # realm_form.cs: a new Kerberos realm, or one realm's page: Windows domain, SPN, keytab upload (required on add), its check, delete (MRAO). ?><?cs include:"admin/header.cs" ?>
<?cs if:Errors.domain || Errors.spn || Errors.keytab ?>
<div class="error-summary" role="alert" tabindex="-1">
  <h2>There is a problem</h2>
  <ul><?cs if:Errors.domain ?><li><a href="#domain"><?cs var:Errors.domain ?></a></li><?cs /if ?>
  <?cs if:Errors.spn ?><li><a href="#spn"><?cs var:Errors.spn ?></a></li><?cs /if ?>
  <?cs if:Errors.keytab ?><li><a href="#keytab"><?cs var:Errors.keytab ?></a></li><?cs /if ?></ul>
</div>
<?cs /if ?>
<h1><?cs if:Realm.id ?>Kerberos realm <?cs var:Realm.realm ?><?cs else ?>New Kerberos realm<?cs /if ?></h1>
<p><a href="/admin/kerberos-realms">All Kerberos realms</a></p>
<?cs if:Realm.id ?>
<dl class="confirm-details">
  <dt>Keytab</dt><dd><?cs if:Realm.state == "ok" ?><span class="tag tag-good">OK</span><?cs elif:Realm.state == "missing" ?><span class="tag tag-bad">missing</span><?cs else ?><span class="tag tag-bad">problem</span> <?cs var:Realm.problem ?><?cs /if ?></dd>
  <dt>Principals</dt><dd class="small"><?cs var:Realm.principals ?></dd>
  <dt>Last check (UTC)</dt><dd><?cs var:Realm.checked_at ?></dd>
</dl>
<?cs /if ?>
<form class="realm" method="post" enctype="multipart/form-data" action="<?cs if:Realm.id ?>/admin/kerberos-realms/<?cs var:Realm.id ?><?cs else ?>/admin/kerberos-realms/new<?cs /if ?>">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <div class="field<?cs if:Errors.domain ?> has-error<?cs /if ?>">
    <label for="domain">Windows domain</label>
    <p class="hint" id="domain-hint">The AD DNS domain, e.g. corp.example.com; the realm is its upper-case form.</p>
    <?cs if:Errors.domain ?><p class="error-text" id="domain-error"><?cs var:Errors.domain ?></p><?cs /if ?>
    <input id="domain" name="domain" type="text" size="50" maxlength="253" value="<?cs var:Form.domain ?>" aria-describedby="domain-hint<?cs if:Errors.domain ?> domain-error<?cs /if ?>">
  </div>
  <div class="field<?cs if:Errors.spn ?> has-error<?cs /if ?>">
    <label for="spn">Service principal name (SPN)</label>
    <p class="hint" id="spn-hint">HTTP/ and the host name clients use for certmint, @ and the realm: HTTP/certs.corp.example.com@CORP.EXAMPLE.COM. The realm part must be the Windows domain in upper case.</p>
    <?cs if:Errors.spn ?><p class="error-text" id="spn-error"><?cs var:Errors.spn ?></p><?cs /if ?>
    <input id="spn" name="spn" type="text" size="60" maxlength="512" value="<?cs var:Form.spn ?>" aria-describedby="spn-hint<?cs if:Errors.spn ?> spn-error<?cs /if ?>">
  </div>
  <div class="field<?cs if:Errors.keytab ?> has-error<?cs /if ?>">
    <label for="keytab">Keytab file<?cs if:Realm.id ?> (optional: keeps the current one)<?cs /if ?></label>
    <p class="hint" id="keytab-hint">Exported for the service account holding the SPN, with AES keys (msDS-SupportedEncryptionTypes 24), and the account's own principal for directory look-ups. At most 64 KiB; it is stored for Apache, never in the database.</p>
    <?cs if:Errors.keytab ?><p class="error-text" id="keytab-error"><?cs var:Errors.keytab ?></p><?cs /if ?>
    <input id="keytab" name="keytab" type="file" aria-describedby="keytab-hint<?cs if:Errors.keytab ?> keytab-error<?cs /if ?>">
  </div>
  <div class="buttons"><button type="submit" class="primary"><?cs if:Realm.id ?>Save<?cs else ?>Add Kerberos realm<?cs /if ?></button></div>
</form>
<?cs if:Realm.id ?>
<div class="delete"><a class="button danger" href="/admin/kerberos-realms/<?cs var:Realm.id ?>/delete">Delete Kerberos realm…</a></div>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
