<?cs # autoenroll_clients.cs: the auto-enrollment client downloads (MRAO): the request URL, an organisation and days, and the three scripts with these filled in. ?><?cs include:"admin/header.cs" ?>
<h1>Auto-enrollment client downloads</h1>
<p class="small">Domain users' computers post their S/MIME requests to this URL with their Kerberos ticket (see <a href="/admin/kerberos-realms">Kerberos realms</a>).</p>
<dl class="confirm-details">
  <dt>Request URL</dt><dd><?cs if:Autoenroll.url ?><code id="request-url"><?cs var:Autoenroll.url ?></code><?cs else ?><span class="tag tag-bad">unknown</span> certmint.conf [web] base_url is not set.<?cs /if ?></dd>
  <dt>Customer</dt><dd><?cs var:Autoenroll.customer ?></dd>
</dl>
<form class="autoenroll-clients" method="get" action="/admin/autoenroll/download">
  <div class="field">
    <label for="orgid">Organisation</label>
    <p class="hint" id="orgid-hint">Leave it at "chosen by AD" to use the organisation bound to the user's AD server.</p>
    <select id="orgid" name="orgid" aria-describedby="orgid-hint">
      <option value="">Chosen by AD (no orgid)</option>
      <?cs each:o = Orgs ?><option value="<?cs var:o.id ?>"><?cs var:o.name ?></option><?cs /each ?>
    </select>
  </div>
  <div class="field">
    <label for="days">Renew when fewer days are left</label>
    <p class="hint" id="days-hint">A whole number from 1 to 3650; 30 by default.</p>
    <input id="days" name="days" type="text" inputmode="numeric" size="6" maxlength="4" value="<?cs var:Form.days ?>" aria-describedby="days-hint">
  </div>
  <div class="buttons">
  <?cs each:cl = Clients ?><button type="submit" class="secondary" name="client" value="<?cs var:cl.name ?>">Download <?cs var:cl.label ?> (<?cs var:cl.file ?>)</button>
  <?cs /each ?>
  </div>
</form>
<?cs include:"admin/footer.cs" ?>
