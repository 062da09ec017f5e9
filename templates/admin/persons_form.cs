<?cs # persons_form.cs: a new person, or one person's detail page with its edit and delete forms. ?><?cs include:"admin/header.cs" ?>
<?cs if:Person.id ?><h1>Person <?cs var:Form.email ?></h1>
<p>Organisation: <?cs var:Person.org ?><?cs if:Person.dept ?> / <?cs var:Person.dept ?><?cs /if ?></p>
<?cs else ?><h1>New person</h1><?cs /if ?>
<?cs if:Person.id && !Can.edit ?><p><em>You may look at this person but not change it.</em></p><?cs /if ?>
<form class="person" method="post" action="<?cs if:Person.id ?>/admin/persons/<?cs var:Person.id ?>/edit<?cs else ?>/admin/persons/new<?cs /if ?>">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <div class="field<?cs if:Errors.email ?> has-error<?cs /if ?>">
    <label for="email">E-mail</label>
    <input id="email" name="email" type="text" size="50" maxlength="300" value="<?cs var:Form.email ?>">
    <?cs if:Errors.email ?><p class="error-text"><?cs var:Errors.email ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.first_name ?> has-error<?cs /if ?>">
    <label for="first_name">First name</label>
    <input id="first_name" name="first_name" type="text" size="40" maxlength="200" value="<?cs var:Form.first_name ?>">
    <?cs if:Errors.first_name ?><p class="error-text"><?cs var:Errors.first_name ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.last_name ?> has-error<?cs /if ?>">
    <label for="last_name">Last name</label>
    <input id="last_name" name="last_name" type="text" size="40" maxlength="200" value="<?cs var:Form.last_name ?>">
    <?cs if:Errors.last_name ?><p class="error-text"><?cs var:Errors.last_name ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.principal_name ?> has-error<?cs /if ?>">
    <label for="principal_name">Principal name (optional)</label>
    <input id="principal_name" name="principal_name" type="text" size="50" maxlength="300" value="<?cs var:Form.principal_name ?>">
    <p class="small">user@REALM, as in Active Directory.</p>
    <?cs if:Errors.principal_name ?><p class="error-text"><?cs var:Errors.principal_name ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.unit ?> has-error<?cs /if ?>">
    <label for="unit">Organisation / department</label>
    <select id="unit" name="unit">
      <option value="">choose…</option>
      <?cs each:u = Units ?><option value="<?cs var:u.value ?>"<?cs if:u.selected ?> selected<?cs /if ?>><?cs var:u.label ?></option>
      <?cs /each ?>
    </select>
    <?cs if:Errors.unit ?><p class="error-text"><?cs var:Errors.unit ?></p><?cs /if ?>
  </div>
  <?cs if:!Person.id || Can.edit ?><div class="buttons"><button type="submit" class="primary"><?cs if:Person.id ?>Save<?cs else ?>Add person<?cs /if ?></button></div><?cs /if ?>
</form>
<?cs if:Person.id && Can.edit ?>
<p class="delete"><a class="button danger" href="/admin/persons/<?cs var:Person.id ?>/delete">Delete person…</a></p>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
