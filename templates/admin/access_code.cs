<?cs # access_code.cs: set or rotate an organisation's or department's access code: what happens, generate or type (the code is never shown here). ?><?cs include:"admin/header.cs" ?>
<p class="crumbs"><a href="<?cs var:Code.back ?>"><?cs if:Code.org_name ?><?cs var:Code.org_name ?> / <?cs /if ?><?cs var:Code.name ?></a></p>
<?cs if:Errors.code || Errors.how ?>
<div class="error-summary" role="alert" tabindex="-1">
  <h2>There is a problem</h2>
  <ul>
    <?cs if:Errors.how ?><li><a href="#how-generate"><?cs var:Errors.how ?></a></li><?cs /if ?>
    <?cs if:Errors.code ?><li><a href="#code"><?cs var:Errors.code ?></a></li><?cs /if ?>
  </ul>
</div>
<?cs /if ?>
<section class="confirm">
  <h1><?cs if:Code.set == "1" ?>Rotate<?cs else ?>Set<?cs /if ?> the access code of the <?cs var:Code.noun ?> <?cs var:Code.name ?>?</h1>
  <dl class="confirm-details">
    <dt><?cs if:Code.noun == "department" ?>Department<?cs else ?>Organisation<?cs /if ?></dt><dd><?cs if:Code.org_name ?><?cs var:Code.org_name ?> / <?cs /if ?><?cs var:Code.name ?></dd>
    <dt>Current access code</dt><dd class="access-code-state"><?cs if:Code.set == "1" ?>set on <?cs var:Code.set_at ?> UTC (ends in <?cs var:Code.hint ?>)<?cs else ?>none<?cs /if ?></dd>
  </dl>
  <p class="consequence">The access code is the challenge password devices give when they enroll with SCEP.
  <?cs if:Code.set == "1" ?>The current code stops working as soon as you confirm: devices and enrollment profiles that use it need the new one.<?cs /if ?>
  The new code is shown once, on the next page; certmint keeps only a keyed hash of it and cannot show it again.</p>
  <form class="confirm" method="post" action="<?cs var:Code.action ?>">
    <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
    <div class="field<?cs if:Errors.how ?> has-error<?cs /if ?>" role="radiogroup" aria-labelledby="how-label">
      <p id="how-label">The new code</p>
      <div><label><input type="radio" id="how-generate" name="how" value="generate"<?cs if:Form.how == "generate" ?> checked<?cs /if ?>> Generate a strong code (recommended)</label></div>
      <div><label><input type="radio" id="how-type" name="how" value="type"<?cs if:Form.how == "type" ?> checked<?cs /if ?>> Type a code</label></div>
      <?cs if:Errors.how ?><p class="error-text" id="how-error"><?cs var:Errors.how ?></p><?cs /if ?>
    </div>
    <div class="field<?cs if:Errors.code ?> has-error<?cs /if ?>">
      <label for="code">Code to use (only when typing one)</label>
      <input id="code" name="code" type="password" size="40" maxlength="64" autocomplete="new-password" spellcheck="false" value="">
      <p class="small">At least 12 characters mixing letters and digits, no common words or sequences.</p>
      <?cs if:Errors.code ?><p class="error-text" id="code-error"><?cs var:Errors.code ?></p><?cs /if ?>
    </div>
    <div class="buttons">
      <button type="submit" class="danger"><?cs if:Code.set == "1" ?>Rotate access code<?cs else ?>Set access code<?cs /if ?></button>
      <a class="button secondary cancel" href="<?cs var:Code.back ?>">Cancel</a>
    </div>
  </form>
</section>
<?cs include:"admin/footer.cs" ?>
