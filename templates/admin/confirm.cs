<?cs # confirm.cs: "Are you sure?" before a destructive action: names the object, says what will happen; POST does it, Cancel changes nothing. ?><?cs include:"admin/header.cs" ?>
<?cs if:Errors.reason ?>
<div class="error-summary" role="alert" tabindex="-1">
  <h2>There is a problem</h2>
  <ul><li><a href="#reason"><?cs var:Errors.reason ?></a></li></ul>
</div>
<?cs /if ?>
<section class="confirm">
  <h1><?cs var:Confirm.title ?></h1>
  <?cs if:subcount(Confirm.details) ?>
  <dl class="confirm-details">
    <?cs each:d = Confirm.details ?><dt><?cs var:d.label ?></dt><dd><?cs var:d.value ?></dd>
    <?cs /each ?>
  </dl>
  <?cs /if ?>
  <p class="consequence"><?cs var:Confirm.consequence ?></p>
  <?cs if:Confirm.warning ?><p class="warning"><?cs var:Confirm.warning ?></p><?cs /if ?>
  <form class="confirm" method="post" action="<?cs var:Confirm.action ?>">
    <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
    <?cs if:Confirm.hidden_name ?><input type="hidden" name="<?cs var:Confirm.hidden_name ?>" value="<?cs var:Confirm.hidden_value ?>"><?cs /if ?>
    <?cs if:subcount(Reasons) ?>
    <div class="field<?cs if:Errors.reason ?> has-error<?cs /if ?>">
      <label for="reason">Revocation reason (RFC 5280)</label>
      <select id="reason" name="reason">
        <option value="">(choose)</option>
        <?cs each:r = Reasons ?><option value="<?cs var:r ?>"<?cs if:r == Form.reason ?> selected<?cs /if ?>><?cs var:r ?></option>
        <?cs /each ?>
      </select>
      <?cs if:Errors.reason ?><p class="error-text" id="reason-error"><?cs var:Errors.reason ?></p><?cs /if ?>
    </div>
    <?cs /if ?>
    <div class="buttons">
      <button type="submit" class="danger"><?cs var:Confirm.button ?></button>
      <a class="button secondary cancel" href="<?cs var:Confirm.cancel ?>">Cancel</a>
    </div>
  </form>
</section>
<?cs include:"admin/footer.cs" ?>
