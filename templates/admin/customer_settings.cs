<?cs # customer_settings.cs: the MRAO's Customer settings page: the customer's name and URI, whether requesters may approve their own requests, and the days before expiry at which requesters are mailed. ?><?cs include:"admin/header.cs" ?>
<?cs if:Banner.saved == "1" ?><div class="banner-success" role="status" id="settings-saved"><p>Settings saved.</p></div>
<?cs elif:Banner.saved == "0" ?><div class="banner-success" role="status" id="settings-saved"><p>Nothing to save: the settings were already so.</p></div><?cs /if ?>
<?cs if:Errors.self_approve || Errors.notify_expiry_days ?>
<div class="error-summary" role="alert" tabindex="-1">
  <h2>There is a problem</h2>
  <ul><?cs if:Errors.self_approve ?><li><a href="#self_approve-off"><?cs var:Errors.self_approve ?></a></li><?cs /if ?>
  <?cs if:Errors.notify_expiry_days ?><li><a href="#notify_expiry_days"><?cs var:Errors.notify_expiry_days ?></a></li><?cs /if ?></ul>
</div>
<?cs /if ?>
<h1>Customer settings</h1>
<dl class="confirm-details">
  <dt>Customer</dt><dd><?cs var:Settings.customer_name ?></dd>
  <dt>Customer URI</dt><dd><?cs var:Settings.customer_uri ?></dd>
</dl>
<p class="small">Auto-enrollment: <a href="/admin/kerberos-realms">Kerberos realms</a> (the Windows domains whose tickets are accepted) and <a href="/admin/autoenroll">client downloads</a>.</p>
<form class="settings" method="post" action="/admin/settings">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <div class="field<?cs if:Errors.self_approve ?> has-error<?cs /if ?>" role="radiogroup" aria-labelledby="self_approve-label" aria-describedby="self_approve-hint">
    <p id="self_approve-label"><strong>Requesters may approve their own requests</strong></p>
    <p class="hint" id="self_approve-hint">The four-eyes rule: a certificate request that waits for approval is approved by another
    administrator than the one who made it, in the portal and in every other program. Choose Yes only where
    one person must be able to request and issue alone; you will be asked to confirm.</p>
    <?cs if:Errors.self_approve ?><p class="error-text" id="self_approve-error"><?cs var:Errors.self_approve ?></p><?cs /if ?>
    <div><label><input type="radio" id="self_approve-off" name="self_approve" value="off"<?cs if:Form.self_approve == "off" ?> checked<?cs /if ?>> No: another administrator must approve (recommended, the default)</label></div>
    <div><label><input type="radio" id="self_approve-on" name="self_approve" value="on"<?cs if:Form.self_approve == "on" ?> checked<?cs /if ?>> Yes: a requester may approve their own request</label></div>
  </div>
  <div class="field<?cs if:Errors.notify_expiry_days ?> has-error<?cs /if ?>">
    <label for="notify_expiry_days"><strong>Expiry notices (days before expiry)</strong></label>
    <p class="hint" id="notify_expiry_days-hint">The requester of each certificate is mailed this many days before it
    expires, once per number, for example 60,30,7. Whole numbers from 1 to 366, separated by commas; leave it empty
    to send no expiry notices.</p>
    <?cs if:Errors.notify_expiry_days ?><p class="error-text" id="notify_expiry_days-error"><?cs var:Errors.notify_expiry_days ?></p><?cs /if ?>
    <input type="text" id="notify_expiry_days" name="notify_expiry_days" maxlength="64" inputmode="numeric" value="<?cs var:Form.notify_expiry_days ?>" aria-describedby="notify_expiry_days-hint<?cs if:Errors.notify_expiry_days ?> notify_expiry_days-error<?cs /if ?>">
  </div>
  <div class="buttons"><button type="submit" class="primary">Save</button></div>
</form>
<?cs include:"admin/footer.cs" ?>
