<?cs # scep_mobileconfig.cs: the form that makes an Apple configuration profile (.mobileconfig) with a SCEP payload: the SCEP type, organisation/department, its access code (typed, checked, never shown back), the user's name and e-mail (or a device's name). ?><?cs include:"admin/header.cs" ?>
<p class="crumbs"><a href="/admin/scep">SCEP</a></p>
<?cs if:Errors.type || Errors.target || Errors.code || Errors.cn || Errors.email ?>
<div class="error-summary" role="alert" tabindex="-1">
  <h2>There is a problem</h2>
  <ul><?cs if:Errors.type ?><li><a href="#type"><?cs var:Errors.type ?></a></li><?cs /if ?>
  <?cs if:Errors.target ?><li><a href="#target"><?cs var:Errors.target ?></a></li><?cs /if ?>
  <?cs if:Errors.code ?><li><a href="#code"><?cs var:Errors.code ?></a></li><?cs /if ?>
  <?cs if:Errors.cn ?><li><a href="#cn"><?cs var:Errors.cn ?></a></li><?cs /if ?>
  <?cs if:Errors.email ?><li><a href="#email"><?cs var:Errors.email ?></a></li><?cs /if ?></ul>
</div>
<?cs /if ?>
<h1>Apple configuration profile</h1>
<p class="hint">Makes a <code>.mobileconfig</code> file: opened on an iPhone, iPad or Mac, it asks certmint for the
user's S/MIME certificate, or for a device certificate, over SCEP (2048-bit RSA key made on the device). The file contains the access code: send it
only to the user, over a channel you trust.</p>
<?cs if:subcount(Targets) == 0 ?>
<p class="empty">No organisation or department in your scope has an access code you may use.</p>
<?cs else ?>
<form class="settings" method="post" action="/admin/scep/mobileconfig" novalidate>
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <div class="field<?cs if:Errors.type ?> has-error<?cs /if ?>">
    <label for="type"><strong>SCEP type</strong></label>
    <p class="hint" id="type-hint">The URL the device enrolls at. A device type (profile client-device) names the
    device by its common name alone: leave the e-mail address empty.</p>
    <?cs if:Errors.type ?><p class="error-text" id="type-error"><?cs var:Errors.type ?></p><?cs /if ?>
    <select id="type" name="type" aria-describedby="type-hint<?cs if:Errors.type ?> type-error<?cs /if ?>">
      <?cs each:k = Kinds ?><option value="<?cs var:k.type ?>"<?cs if:k.type == Form.type ?> selected<?cs /if ?>><?cs var:k.label ?></option>
      <?cs /each ?>
    </select>
  </div>
  <div class="field<?cs if:Errors.target ?> has-error<?cs /if ?>">
    <label for="target"><strong>Organisation or department</strong></label>
    <p class="hint" id="target-hint">The certificate is issued to it; it needs self enrollment on and an access code.</p>
    <?cs if:Errors.target ?><p class="error-text" id="target-error"><?cs var:Errors.target ?></p><?cs /if ?>
    <select id="target" name="target" aria-describedby="target-hint">
      <option value="">(choose)</option>
      <?cs each:t = Targets ?><option value="<?cs var:t.value ?>"<?cs if:t.value == Form.target ?> selected<?cs /if ?>><?cs var:t.label ?></option>
      <?cs /each ?>
    </select>
  </div>
  <div class="field<?cs if:Errors.code ?> has-error<?cs /if ?>">
    <label for="code"><strong>Access code</strong></label>
    <p class="hint" id="code-hint">certmint keeps only a keyed hash of the code and cannot show it: type it as it was
    shown when it was set, or rotate it in the SCEP section to get a new one (devices using the old one then stop
    enrolling).</p>
    <?cs if:Errors.code ?><p class="error-text" id="code-error"><?cs var:Errors.code ?></p><?cs /if ?>
    <input type="password" id="code" name="code" maxlength="64" autocomplete="off" spellcheck="false" value="" aria-describedby="code-hint<?cs if:Errors.code ?> code-error<?cs /if ?>">
  </div>
  <div class="field<?cs if:Errors.cn ?> has-error<?cs /if ?>">
    <label for="cn"><strong>User's or device's name</strong></label>
    <p class="hint" id="cn-hint">The certificate's common name: a user's name, for example Alice Smith; for a device
    type, the device's DNS name (router1.example.com) or an e-mail address, in a domain delegated to the organisation.</p>
    <?cs if:Errors.cn ?><p class="error-text" id="cn-error"><?cs var:Errors.cn ?></p><?cs /if ?>
    <input type="text" id="cn" name="cn" maxlength="64" value="<?cs var:Form.cn ?>" aria-describedby="cn-hint<?cs if:Errors.cn ?> cn-error<?cs /if ?>">
  </div>
  <div class="field<?cs if:Errors.email ?> has-error<?cs /if ?>">
    <label for="email"><strong>User's e-mail address</strong> (S/MIME types only)</label>
    <p class="hint" id="email-hint">In a domain delegated to the organisation for client certificates; the certificate carries it. Not used for a device type.</p>
    <?cs if:Errors.email ?><p class="error-text" id="email-error"><?cs var:Errors.email ?></p><?cs /if ?>
    <input type="email" id="email" name="email" maxlength="254" autocapitalize="none" spellcheck="false" value="<?cs var:Form.email ?>" aria-describedby="email-hint<?cs if:Errors.email ?> email-error<?cs /if ?>">
  </div>
  <div class="buttons"><button type="submit" class="primary">Download profile</button></div>
</form>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
