<?cs # csr_form.cs: the CSR form, re-shown with the preview and errors next to their fields. ?><?cs include:"admin/header.cs" ?>
<h1>New certificate from a CSR</h1>
<?cs if:Form.renew ?><p class="note">Renewing certificate <a href="/admin/certificates/<?cs var:Form.renew ?>"><?cs var:Form.renew ?></a>: the profile and organisation are filled in; paste a new CSR.</p><?cs /if ?>
<p class="note">In an organisation that does not approve requests automatically, this stores a request that an administrator approves on its page.</p>
<?cs if:subcount(Errors) ?>
<div class="error-summary" role="alert" tabindex="-1">
  <h2><?cs if:Verdict.refuse ?>Issue would refuse this request<?cs else ?>There is a problem<?cs /if ?></h2>
  <ul>
    <?cs if:Errors.csr ?><li><a href="#csr"><?cs var:Errors.csr ?></a></li><?cs /if ?>
    <?cs if:Errors.profile ?><li><a href="#profile"><?cs var:Errors.profile ?></a></li><?cs /if ?>
    <?cs if:Errors.org ?><li><a href="#org"><?cs var:Errors.org ?></a></li><?cs /if ?>
    <?cs if:Errors.days ?><li><a href="#days"><?cs var:Errors.days ?></a></li><?cs /if ?>
    <?cs if:Errors.allow_dup ?><li><a href="#allow_dup"><?cs var:Errors.allow_dup ?></a></li><?cs /if ?>
  </ul>
</div>
<?cs /if ?>
<?cs if:Verdict.refuse || Verdict.ready ?>
<section class="verdict">
  <?cs if:Verdict.refuse ?><p class="bad verdict-refuse"><strong>Issue would refuse:</strong> <?cs var:Verdict.refuse ?></p>
  <?cs else ?><p class="good verdict-ready"><strong>Ready to issue.</strong><?cs if:Term.days ?> The certificate will be valid for <?cs var:Term.days ?> days, until <?cs var:Term.not_after ?> (UTC).<?cs /if ?></p><?cs /if ?>
  <?cs if:Term.note ?><p class="warning term-note"><?cs var:Term.note ?></p><?cs /if ?>
</section>
<?cs /if ?>
<?cs if:Preview.subject || Preview.key ?>
<section class="preview">
  <h2>Preview of the request</h2>
  <dl>
    <dt>Subject</dt><dd><?cs var:Preview.subject ?></dd>
<?cs if:Preview.issue_subject ?>    <dt>Subject of the certificate</dt><dd><?cs var:Preview.issue_subject ?> <span class="hint">(the CN from the CSR; organisation, city, state and country from the organisation's record; no OU)</span></dd>
<?cs /if ?>    <dt>Common name</dt><dd><?cs if:Preview.cn ?><?cs var:Preview.cn ?><?cs else ?><em>none</em><?cs /if ?></dd>
    <dt>Subject alternative names</dt><dd><?cs if:subcount(Preview.sans) ?><ul class="sans"><?cs each:s = Preview.sans ?><li><?cs var:s ?></li><?cs /each ?></ul><?cs else ?><em>none</em><?cs /if ?></dd>
    <dt>Key</dt><dd><?cs var:Preview.key ?></dd>
    <dt>Signature algorithm</dt><dd><?cs var:Preview.sig_alg ?></dd>
    <dt>Signature</dt><dd><?cs if:Preview.sig_valid == "1" ?><span class="good">valid</span><?cs else ?><span class="bad">does not verify</span><?cs /if ?></dd>
    <?cs if:Term.days ?><dt>Validity</dt><dd class="term"><?cs var:Term.days ?> days, until <?cs var:Term.not_after ?> (UTC)</dd><?cs /if ?>
  </dl>
</section>
<?cs /if ?>
<form class="csr" method="post" action="/admin/certificates/new">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <input type="hidden" name="submission" value="<?cs var:Form.submission ?>">
  <?cs if:Form.renew ?><input type="hidden" name="renew" value="<?cs var:Form.renew ?>"><?cs /if ?>
  <div class="field<?cs if:Errors.csr ?> has-error<?cs /if ?>">
    <label for="csr">Certificate signing request (PEM)</label>
    <textarea id="csr" name="csr" rows="14" cols="72" spellcheck="false"><?cs var:Form.csr ?></textarea>
    <?cs if:Errors.csr ?><p class="error-text" id="csr-error"><?cs var:Errors.csr ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.profile ?> has-error<?cs /if ?>">
    <label for="profile">Profile</label>
    <select id="profile" name="profile">
      <?cs each:p = Profiles ?><option value="<?cs var:p.name ?>"<?cs if:p.name == Form.profile ?> selected<?cs /if ?>><?cs var:p.name ?></option>
      <?cs /each ?>
    </select>
    <?cs if:Errors.profile ?><p class="error-text"><?cs var:Errors.profile ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.org ?> has-error<?cs /if ?>">
    <label for="org">Organisation or department</label>
    <select id="org" name="org">
      <option value="">(none: master administrators only)</option>
      <?cs each:o = Orgs ?><option value="<?cs var:o.id ?>"<?cs if:o.id == Form.org ?> selected<?cs /if ?>><?cs var:o.name ?></option>
      <?cs /each ?>
    </select>
    <?cs if:Errors.org ?><p class="error-text"><?cs var:Errors.org ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.days ?> has-error<?cs /if ?>">
    <label for="days">Validity in days (empty = the profile's maximum)</label>
    <input id="days" name="days" type="text" inputmode="numeric" size="6" value="<?cs var:Form.days ?>">
    <?cs if:Errors.days ?><p class="error-text"><?cs var:Errors.days ?></p><?cs /if ?>
    <?cs if:Term.note ?><p class="hint term-note"><?cs var:Term.note ?></p><?cs /if ?>
  </div>
  <?cs if:Dup.id || Form.allow_dup ?>
  <div class="field checkbox<?cs if:Errors.allow_dup ?> has-error<?cs /if ?>">
    <input id="allow_dup" name="allow_dup" type="checkbox" value="1"<?cs if:Form.allow_dup ?> checked<?cs /if ?>>
    <label for="allow_dup">Issue another certificate for this key</label>
    <?cs if:Dup.id ?><p class="hint">Certificate <a href="/admin/certificates/<?cs var:Dup.id ?>"><?cs var:Dup.id ?></a> (<?cs var:Dup.status ?>) already has this public key. A new key pair is usually the better choice.</p><?cs /if ?>
    <?cs if:Errors.allow_dup ?><p class="error-text" id="allow_dup-error"><?cs var:Errors.allow_dup ?></p><?cs /if ?>
  </div>
  <?cs /if ?>
  <div class="buttons">
    <button type="submit" formaction="/admin/certificates/preview" class="secondary">Preview</button>
    <button type="submit" class="primary">Issue</button>
  </div>
</form>
<?cs include:"admin/footer.cs" ?>
