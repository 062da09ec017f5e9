<?cs # ad_server_form.cs: a new Active Directory server, or one server's page: edit, the organisations bound to it, delete (MRAO). ?><?cs include:"admin/header.cs" ?>
<h1><?cs if:Server.id ?>AD server <?cs var:Server.name ?><?cs else ?>New AD server<?cs /if ?></h1>
<p><a href="/admin/ad-servers">All AD servers</a></p>
<form class="ad-server" method="post" action="<?cs if:Server.id ?>/admin/ad-servers/<?cs var:Server.id ?><?cs else ?>/admin/ad-servers/new<?cs /if ?>">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <div class="field<?cs if:Errors.name ?> has-error<?cs /if ?>">
    <label for="name">Name</label>
    <input id="name" name="name" type="text" size="50" maxlength="300" value="<?cs var:Form.name ?>">
    <?cs if:Errors.name ?><p class="error-text"><?cs var:Errors.name ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.domain ?> has-error<?cs /if ?>">
    <label for="domain">Active Directory domain</label>
    <input id="domain" name="domain" type="text" size="50" maxlength="300" value="<?cs var:Form.domain ?>">
    <p class="small">The DNS name of the domain, such as corp.example.com; its Kerberos realm is the same in capitals<?cs if:Server.realm ?> (<?cs var:Server.realm ?>)<?cs /if ?>.</p>
    <?cs if:Errors.domain ?><p class="error-text"><?cs var:Errors.domain ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.ldap_uris ?> has-error<?cs /if ?>">
    <label for="ldap_uris">LDAP URIs</label>
    <input id="ldap_uris" name="ldap_uris" type="text" size="70" maxlength="1100" value="<?cs var:Form.ldap_uris ?>">
    <p class="small">ldaps://host[:port] or ldap://host[:port], separated by spaces and tried in order: ldaps://dc1.corp.example.com ldaps://dc2.corp.example.com</p>
    <?cs if:Errors.ldap_uris ?><p class="error-text"><?cs var:Errors.ldap_uris ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.base_dn ?> has-error<?cs /if ?>">
    <label for="base_dn">Base DN</label>
    <input id="base_dn" name="base_dn" type="text" size="70" maxlength="1100" value="<?cs var:Form.base_dn ?>">
    <p class="small">Where users are searched, such as DC=corp,DC=example,DC=com.</p>
    <?cs if:Errors.base_dn ?><p class="error-text"><?cs var:Errors.base_dn ?></p><?cs /if ?>
  </div>
  <div class="field">
    <label><input type="checkbox" name="starttls" value="1"<?cs if:Form.starttls == "1" ?> checked<?cs /if ?>> Require StartTLS on ldap:// URIs</label>
    <p class="small">ldaps:// always uses TLS. Turn this off only where the directory signs and seals the Kerberos session itself.</p>
  </div>
  <div class="buttons"><button type="submit" class="primary"><?cs if:Server.id ?>Save<?cs else ?>Add AD server<?cs /if ?></button></div>
</form>
<?cs if:Server.id ?>
<section class="bound">
  <h2>Organisations using this server</h2>
  <?cs if:subcount(Orgs) ?><ul><?cs each:o = Orgs ?><li><a href="/admin/organizations/<?cs var:o.id ?>"><?cs var:o.name ?></a></li><?cs /each ?></ul>
  <?cs if:Bound.more ?><p class="small">And more.</p><?cs /if ?>
  <?cs else ?><p><em>None.</em></p><?cs /if ?>
</section>
<div class="delete">
  <div class="field<?cs if:Errors.delete ?> has-error<?cs /if ?>">
    <a class="button danger" href="/admin/ad-servers/<?cs var:Server.id ?>/delete">Delete AD server…</a>
    <span class="small">Refused while organisations use it.</span>
    <?cs if:Errors.delete ?><p class="error-text"><?cs var:Errors.delete ?></p><?cs /if ?>
  </div>
</div>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
