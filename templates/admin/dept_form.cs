<?cs # dept_form.cs: a new department of an organisation, or one department's settings (the same tabs). ?><?cs include:"admin/header.cs" ?><?cs set:Kind = "dept" ?>
<p class="crumbs"><a href="/admin/organizations/<?cs var:Org.id ?>"><?cs var:Form.org_name ?></a></p>
<h1><?cs if:Dept.id ?>Department <?cs var:Form.name ?><?cs else ?>New department<?cs /if ?></h1>
<form class="dept" method="post" action="<?cs if:Dept.id ?>/admin/departments/<?cs var:Dept.id ?><?cs else ?>/admin/organizations/<?cs var:Org.id ?>/departments/new<?cs /if ?>">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <fieldset<?cs if:Can.edit != "1" ?> disabled<?cs /if ?>>
    <legend>Department</legend>
    <div class="field<?cs if:Errors.name ?> has-error<?cs /if ?>">
      <label for="name">Name</label>
      <input id="name" name="name" type="text" size="50" value="<?cs var:Form.name ?>">
      <?cs if:Errors.name ?><p class="error-text"><?cs var:Errors.name ?></p><?cs /if ?>
    </div>
  </fieldset>
  <?cs include:"admin/org_tabs.cs" ?>
  <?cs if:Can.edit == "1" ?><div class="buttons"><button type="submit" class="primary"><?cs if:Dept.id ?>Save<?cs else ?>Create department<?cs /if ?></button></div><?cs /if ?>
</form>
<?cs include:"admin/footer.cs" ?>
