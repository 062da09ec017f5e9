<?cs # csr_form.cs: the CSR form, re-shown with the preview and errors next to their fields. ?><?cs include:"admin/header.cs" ?>
<h1>New certificate from a CSR</h1>
<?cs if:Form.renew ?><p class="note">Renewing certificate <a href="/admin/certificates/<?cs var:Form.renew ?>"><?cs var:Form.renew ?></a>: the profile and organisation are filled in; paste a new CSR.</p><?cs /if ?>
<p class="note">In an organisation that does not approve requests automatically, this stores a request that an administrator approves on its page.</p>
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
  </dl>
</section>
<?cs /if ?>
<form class="csr" method="post" action="/admin/certificates/new">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
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
  </div>
  <div class="buttons">
    <button type="submit" formaction="/admin/certificates/preview" class="secondary">Preview</button>
    <button type="submit" class="primary">Issue</button>
  </div>
</form>
<?cs include:"admin/footer.cs" ?>
