<?cs # admins_form.cs: a new administrator, or one administrator's details (edit and delete when allowed). ?><?cs include:"admin/header.cs" ?>
<p class="crumbs"><a href="/admin/admins">Administrators</a></p>
<h1><?cs if:Admin.id ?>Administrator <?cs var:Admin.principal ?><?cs else ?>New administrator<?cs /if ?></h1>
<?cs if:Banner.sessions_ended ?><div class="banner-success" role="status"><p>Sessions ended: <?cs var:Banner.sessions_ended ?>. The administrator's next request starts a new session.</p></div><?cs /if ?>
<?cs if:Admin.id && Admin.enabled != "1" ?><p class="warning">This administrator is disabled.</p><?cs /if ?>
<form class="admin" method="post" action="<?cs if:Admin.id ?>/admin/admins/<?cs var:Admin.id ?>/edit<?cs else ?>/admin/admins/new<?cs /if ?>">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <fieldset<?cs if:Can.edit != "1" ?> disabled<?cs /if ?>>
    <legend>Administrator</legend>
    <div class="field<?cs if:Errors.principal ?> has-error<?cs /if ?>">
      <label for="principal">Kerberos principal</label>
      <?cs if:Admin.id ?><input id="principal" type="text" size="40" value="<?cs var:Admin.principal ?>" readonly>
      <?cs else ?><input id="principal" name="principal" type="text" size="40" placeholder="jane@EXAMPLE.COM" value="<?cs var:Form.principal ?>"><?cs /if ?>
      <?cs if:Errors.principal ?><p class="error-text"><?cs var:Errors.principal ?></p><?cs /if ?>
    </div>
    <div class="field<?cs if:Errors.name ?> has-error<?cs /if ?>">
      <label for="name">Name</label>
      <input id="name" name="name" type="text" size="40" value="<?cs var:Form.name ?>">
      <?cs if:Errors.name ?><p class="error-text"><?cs var:Errors.name ?></p><?cs /if ?>
    </div>
    <div class="field<?cs if:Errors.email ?> has-error<?cs /if ?>">
      <label for="email">E-mail</label>
      <input id="email" name="email" type="text" size="40" value="<?cs var:Form.email ?>">
      <?cs if:Errors.email ?><p class="error-text"><?cs var:Errors.email ?></p><?cs /if ?>
    </div>
    <div class="field<?cs if:Errors.role ?> has-error<?cs /if ?>">
      <label for="role">Role</label>
      <?cs if:Can.edit == "1" ?><select id="role" name="role">
      <?cs each:r = Roles ?><option value="<?cs var:r.value ?>"<?cs if:r.value == Form.role ?> selected<?cs /if ?>><?cs var:r.label ?></option>
      <?cs /each ?></select>
      <?cs else ?><input id="role" type="text" size="6" value="<?cs var:Form.role ?>" readonly><?cs /if ?>
      <?cs if:Errors.role ?><p class="error-text"><?cs var:Errors.role ?></p><?cs /if ?>
    </div>
    <div class="field<?cs if:Errors.scope ?> has-error<?cs /if ?>">
      <label for="scope">Organisation / department</label>
      <?cs if:Can.edit == "1" ?><select id="scope" name="scope">
        <option value="">(none: an MRAO administers the whole customer)</option>
      <?cs each:s = Scopes ?><option value="<?cs var:s.value ?>"<?cs if:s.value == Form.scope ?> selected<?cs /if ?>><?cs var:s.org ?><?cs if:s.dept ?> / <?cs var:s.dept ?><?cs /if ?></option>
      <?cs /each ?></select>
      <?cs else ?><input id="scope" type="text" size="40" value="<?cs if:Admin.scope ?><?cs var:Admin.scope ?><?cs else ?>whole customer<?cs /if ?>" readonly><?cs /if ?>
      <?cs if:Errors.scope ?><p class="error-text"><?cs var:Errors.scope ?></p><?cs /if ?>
    </div>
    <div class="field<?cs if:Errors.types ?> has-error<?cs /if ?>">
      <span class="label">Certificate types</span>
      <label><input type="checkbox" name="type_ssl" value="1"<?cs if:Form.ssl == "1" ?> checked<?cs /if ?>> SSL</label>
      <label><input type="checkbox" name="type_client" value="1"<?cs if:Form.client == "1" ?> checked<?cs /if ?>> Client / S-MIME</label>
      <label><input type="checkbox" name="type_codesign" value="1"<?cs if:Form.codesign == "1" ?> checked<?cs /if ?>> Code signing</label>
      <?cs if:Errors.types ?><p class="error-text"><?cs var:Errors.types ?></p><?cs /if ?>
    </div>
  </fieldset>
  <?cs if:Can.edit == "1" ?><div class="buttons"><button type="submit" class="primary"><?cs if:Admin.id ?>Save<?cs else ?>Add administrator<?cs /if ?></button></div><?cs /if ?>
</form>
<?cs if:Admin.id && Errors.delete ?><p class="error-text" id="delete-error"><?cs var:Errors.delete ?></p><?cs /if ?>
<?cs if:Admin.id && (Can.delete == "1" || Can.end_sessions == "1") ?>
<p class="actions">
  <?cs if:Can.end_sessions == "1" ?><a class="button secondary" href="/admin/admins/<?cs var:Admin.id ?>/sessions/end">End sessions…</a><?cs /if ?>
  <?cs if:Can.delete == "1" ?><a class="button danger" href="/admin/admins/<?cs var:Admin.id ?>/delete">Delete administrator…</a><?cs /if ?>
</p>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
