<?cs # org_form.cs: a new organisation, or one organisation's settings (three tabs), its departments and delete. ?><?cs include:"admin/header.cs" ?><?cs set:Kind = "org" ?>
<h1><?cs if:Org.id ?>Organisation <?cs var:Form.name ?><?cs else ?>New organisation<?cs /if ?></h1>
<form class="org" method="post" action="<?cs if:Org.id ?>/admin/organizations/<?cs var:Org.id ?><?cs else ?>/admin/organizations/new<?cs /if ?>">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <fieldset<?cs if:Can.edit != "1" ?> disabled<?cs /if ?>>
    <legend>Organisation</legend>
    <div class="field<?cs if:Errors.name ?> has-error<?cs /if ?>">
      <label for="name">Name</label>
      <input id="name" name="name" type="text" size="50" value="<?cs var:Form.name ?>">
      <?cs if:Errors.name ?><p class="error-text"><?cs var:Errors.name ?></p><?cs /if ?>
    </div>
    <div class="field<?cs if:Errors.address1 ?> has-error<?cs /if ?>"><label for="address1">Address</label>
      <input id="address1" name="address1" type="text" size="50" value="<?cs var:Form.address1 ?>">
      <?cs if:Errors.address1 ?><p class="error-text"><?cs var:Errors.address1 ?></p><?cs /if ?></div>
    <div class="field<?cs if:Errors.address2 ?> has-error<?cs /if ?>"><label for="address2">Address (line 2)</label>
      <input id="address2" name="address2" type="text" size="50" value="<?cs var:Form.address2 ?>">
      <?cs if:Errors.address2 ?><p class="error-text"><?cs var:Errors.address2 ?></p><?cs /if ?></div>
    <div class="field<?cs if:Errors.city ?> has-error<?cs /if ?>"><label for="city">City</label>
      <input id="city" name="city" type="text" size="30" value="<?cs var:Form.city ?>">
      <?cs if:Errors.city ?><p class="error-text"><?cs var:Errors.city ?></p><?cs /if ?></div>
    <div class="field<?cs if:Errors.state ?> has-error<?cs /if ?>"><label for="state">State / region</label>
      <input id="state" name="state" type="text" size="30" value="<?cs var:Form.state ?>">
      <?cs if:Errors.state ?><p class="error-text"><?cs var:Errors.state ?></p><?cs /if ?></div>
    <div class="field<?cs if:Errors.postal_code ?> has-error<?cs /if ?>"><label for="postal_code">Postal code</label>
      <input id="postal_code" name="postal_code" type="text" size="12" value="<?cs var:Form.postal_code ?>">
      <?cs if:Errors.postal_code ?><p class="error-text"><?cs var:Errors.postal_code ?></p><?cs /if ?></div>
    <div class="field<?cs if:Errors.country ?> has-error<?cs /if ?>"><label for="country">Country (two letters)</label>
      <input id="country" name="country" type="text" size="3" value="<?cs var:Form.country ?>">
      <?cs if:Errors.country ?><p class="error-text"><?cs var:Errors.country ?></p><?cs /if ?></div>
  </fieldset>
  <?cs if:Can.view_ad == "1" ?>
  <fieldset class="ad-server">
    <legend>Active Directory</legend>
    <div class="field<?cs if:Errors.ad_server ?> has-error<?cs /if ?>">
      <label for="ad_server">Active Directory server</label>
      <?cs if:Can.bind_ad == "1" ?>
      <select id="ad_server" name="ad_server">
        <option value="">none</option>
        <?cs each:s = AdServers ?><option value="<?cs var:s.id ?>"<?cs if:s.selected ?> selected<?cs /if ?>><?cs var:s.name ?> (<?cs var:s.domain ?>)</option>
        <?cs /each ?>
      </select>
      <p class="small">Auto-enrollment checks this organisation's users in that directory. <a href="/admin/ad-servers">AD servers</a></p>
      <?cs else ?>
      <p id="ad_server" class="readonly"><?cs if:Org.ad_server.name ?><?cs var:Org.ad_server.name ?> (<?cs var:Org.ad_server.domain ?>)<?cs else ?>none<?cs /if ?></p>
      <p class="small">A master administrator (MRAO) chooses the server.</p>
      <?cs /if ?>
      <?cs if:Errors.ad_server ?><p class="error-text"><?cs var:Errors.ad_server ?></p><?cs /if ?>
    </div>
  </fieldset>
  <?cs /if ?>
  <?cs include:"admin/org_tabs.cs" ?>
  <?cs if:Can.edit == "1" ?><div class="buttons"><button type="submit" class="primary"><?cs if:Org.id ?>Save<?cs else ?>Create organisation<?cs /if ?></button></div><?cs /if ?>
</form>
<?cs if:Org.id ?>
<section class="departments">
  <h2>Departments</h2>
  <?cs if:subcount(Depts) ?>
  <table class="list depts">
    <thead><tr><th>Name</th><th>Self enrollment</th></tr></thead>
    <tbody><?cs each:d = Depts ?><tr><td><a href="/admin/departments/<?cs var:d.id ?>"><?cs var:d.name ?></a></td><td><?cs var:d.self_enrollment ?></td></tr>
    <?cs /each ?></tbody>
  </table>
  <?cs else ?><p><em>No departments.</em></p><?cs /if ?>
  <?cs if:Can.add_dept == "1" ?><p><a class="button" href="/admin/organizations/<?cs var:Org.id ?>/departments/new">New department</a></p><?cs /if ?>
</section>
<?cs if:Can.delete == "1" ?>
<p class="delete"><a class="button danger" href="/admin/organizations/<?cs var:Org.id ?>/delete">Delete organisation…</a>
  <span class="small">Refused while certificates reference it.</span></p>
<?cs /if ?>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
