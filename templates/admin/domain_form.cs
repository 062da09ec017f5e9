<?cs # domain_form.cs: a new domain (MRAO): a DNS name or *.name. ?><?cs include:"admin/header.cs" ?>
<h1>New domain</h1>
<form class="domain" method="post" action="/admin/domains/new">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <div class="field<?cs if:Errors.name ?> has-error<?cs /if ?>">
    <label for="name">Domain name</label>
    <input id="name" name="name" type="text" size="50" maxlength="300" value="<?cs var:Form.name ?>">
    <p class="small">example.com, or *.example.com for its sub-domains. Internationalised names in their xn-- form.</p>
    <?cs if:Errors.name ?><p class="error-text" id="name-error"><?cs var:Errors.name ?></p><?cs /if ?>
  </div>
  <div class="buttons"><button type="submit" class="primary">Add domain</button></div>
</form>
<?cs include:"admin/footer.cs" ?>
