<?cs # org_tabs.cs: the client certificate / SSL / code signing sections shared by the organisation and department forms (Kind = org|dept). ?>
<fieldset class="tab" id="tab-client"<?cs if:Can.client != "1" ?> disabled<?cs /if ?>>
  <legend>Client certificate</legend>
  <div class="field"><label><input type="checkbox" name="self_enrollment" value="1"<?cs if:Form.self_enrollment == "1" ?> checked<?cs /if ?>> Self enrollment</label></div>
  <div class="field<?cs if:Errors.access_code ?> has-error<?cs /if ?>" id="access_code">
    <?cs if:Can.view_code == "1" ?><p class="access-code">Access code: <?cs if:Form.access_code_set ?>set on <?cs var:Form.access_code_set_at ?> UTC (ends in <?cs var:Form.access_code_hint ?>)<?cs else ?>not set<?cs /if ?>.</p>
    <?cs if:Can.set_code == "1" && Org.id && (Kind == "org" || Dept.id) ?><p><a class="button secondary" href="<?cs if:Kind == "org" ?>/admin/organizations/<?cs var:Org.id ?><?cs else ?>/admin/departments/<?cs var:Dept.id ?><?cs /if ?>/access-code"><?cs if:Form.access_code_set ?>Rotate access code…<?cs else ?>Set access code…<?cs /if ?></a></p><?cs /if ?>
    <?cs else ?><p class="access-code">Access code: ask an MRAO or RAO<?cs if:Form.access_code_set ?> (one is set)<?cs /if ?>.</p><?cs /if ?>
    <p class="small">Devices enrolling with SCEP give it as their challenge password; it is shown once, when set, and never again.</p>
    <?cs if:Errors.access_code ?><p class="error-text" id="access_code-error"><?cs var:Errors.access_code ?></p><?cs /if ?>
  </div>
  <?cs if:Kind == "org" ?>
  <div class="field"><label><input type="checkbox" name="web_api" value="1"<?cs if:Form.web_api == "1" ?> checked<?cs /if ?>> Web API</label></div>
  <div class="field"><label><input type="checkbox" name="key_recovery_mrao" value="1"<?cs if:Form.key_recovery_mrao == "1" ?> checked<?cs /if ?>> Allow key recovery by master administrators</label></div>
  <div class="field"><label><input type="checkbox" name="key_recovery_org" value="1"<?cs if:Form.key_recovery_org == "1" ?> checked<?cs /if ?>> Allow key recovery by organisation administrators</label></div>
  <?cs else ?>
  <div class="field"><label><input type="checkbox" name="key_recovery_org" value="1"<?cs if:Form.key_recovery_org == "1" ?> checked<?cs /if ?>> Allow key recovery by organisation administrators</label></div>
  <div class="field"><label><input type="checkbox" name="key_recovery_dept" value="1"<?cs if:Form.key_recovery_dept == "1" ?> checked<?cs /if ?>> Allow key recovery by department administrators</label></div>
  <?cs /if ?>
  <div class="field"><label><input type="checkbox" name="principal_name" value="1"<?cs if:Form.principal_name == "1" ?> checked<?cs /if ?>> Allow principal name</label></div>
  <div class="field"><label><input type="checkbox" name="principal_name_custom" value="1"<?cs if:Form.principal_name_custom == "1" ?> checked<?cs /if ?>> Allow principal name customisation</label></div>
  <?cs if:Kind == "org" ?>
  <div class="field"><label><input type="checkbox" name="client_auto_approve" value="1"<?cs if:Form.client_auto_approve == "1" ?> checked<?cs /if ?>> Approve requests automatically (otherwise an administrator approves each)</label></div>
  <?cs else ?>
  <p class="small approval" id="client_approval">Approval of requests: as the organisation<?cs if:Org.client_auto_approve == "1" ?> (now: approve automatically)<?cs elif:Org.client_auto_approve == "0" ?> (now: an administrator approves each)<?cs /if ?>.</p>
  <?cs /if ?>
</fieldset>
<fieldset class="tab" id="tab-ssl"<?cs if:Can.ssl != "1" ?> disabled<?cs /if ?>>
  <legend>SSL</legend>
  <div class="field<?cs if:Errors.ssl_terms ?> has-error<?cs /if ?>">
    <label for="ssl_terms">Allowed terms</label>
    <input id="ssl_terms" name="ssl_terms" type="text" size="12" value="<?cs var:Form.ssl_terms ?>">
    <?cs if:Errors.ssl_terms ?><p class="error-text"><?cs var:Errors.ssl_terms ?></p><?cs /if ?>
  </div>
  <?cs if:Kind == "dept" ?>
  <div class="field<?cs if:Errors.ssl_auto_approve ?> has-error<?cs /if ?>" id="ssl_auto_approve" role="radiogroup" aria-labelledby="ssl_auto_approve-label">
    <p id="ssl_auto_approve-label">Approval of SSL requests</p>
    <div><label><input type="radio" name="ssl_auto_approve" value="org"<?cs if:Form.ssl_auto_approve == "org" ?> checked<?cs /if ?>> As the organisation<?cs if:Org.auto_approve == "1" ?> (now: approve automatically)<?cs elif:Org.auto_approve == "0" ?> (now: an administrator approves each)<?cs /if ?></label></div>
    <div><label><input type="radio" name="ssl_auto_approve" value="auto"<?cs if:Form.ssl_auto_approve == "auto" ?> checked<?cs /if ?>> Approve automatically</label></div>
    <div><label><input type="radio" name="ssl_auto_approve" value="manual"<?cs if:Form.ssl_auto_approve == "manual" ?> checked<?cs /if ?>> An administrator approves each</label></div>
    <?cs if:Errors.ssl_auto_approve ?><p class="error-text" id="ssl_auto_approve-error"><?cs var:Errors.ssl_auto_approve ?></p><?cs /if ?>
  </div>
  <?cs else ?>
  <div class="field"><label><input type="checkbox" name="ssl_auto_approve" value="1"<?cs if:Form.ssl_auto_approve == "1" ?> checked<?cs /if ?>> Approve requests automatically (otherwise an administrator approves each)</label></div>
  <?cs /if ?>
</fieldset>
<fieldset class="tab" id="tab-codesign"<?cs if:Can.codesign != "1" ?> disabled<?cs /if ?>>
  <legend>Code signing</legend>
  <div class="field"><label><input type="checkbox" name="codesign_enabled" value="1"<?cs if:Form.codesign_enabled == "1" ?> checked<?cs /if ?>> Enabled</label></div>
  <?cs if:Kind == "org" ?>
  <div class="field"><label><input type="checkbox" name="codesign_auto_approve" value="1"<?cs if:Form.codesign_auto_approve == "1" ?> checked<?cs /if ?>> Approve requests automatically (otherwise an administrator approves each)</label></div>
  <?cs else ?>
  <p class="small approval" id="codesign_approval">Approval of requests: as the organisation<?cs if:Org.codesign_auto_approve == "1" ?> (now: approve automatically)<?cs elif:Org.codesign_auto_approve == "0" ?> (now: an administrator approves each)<?cs /if ?>.</p>
  <?cs /if ?>
</fieldset>
