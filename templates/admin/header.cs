<?cs # header.cs: the shared layout's top (head, user bar, navigation); every admin page includes it. ?><!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs var:Page.title ?> · certmint</title>
<link rel="stylesheet" href="<?cs var:Static.url ?>/style.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/admin/">certmint</a>
  <?cs if:User.principal ?>
  <nav>
    <a href="/admin/">Home</a>
    <a href="/admin/certificates">Certificates</a>
    <a href="/admin/certificates/new">New certificate</a>
    <a href="/admin/organizations">Organisations</a>
    <a href="/admin/admins">Administrators</a>
    <a href="/admin/domains">Domains</a>
    <?cs if:Nav.ad_servers ?><a href="/admin/ad-servers">AD servers</a><?cs /if ?>
    <?cs if:Nav.ad_servers ?><a href="/admin/kerberos-realms">Kerberos realms</a><?cs /if ?>
    <a href="/admin/persons">Persons</a>
    <?cs if:Nav.scep ?><a href="/admin/scep">SCEP</a><?cs /if ?>
    <a href="/admin/dashboard">Dashboard</a>
    <a href="/admin/audit">Audit log</a>
    <?cs if:Nav.settings ?><a href="/admin/settings">Settings</a><?cs /if ?>
    <?cs if:Nav.outbox ?><a href="/admin/outbox">Outbox</a><?cs /if ?>
  </nav>
  <div class="who"><span class="user"><?cs var:User.name ?></span>
    <span class="principal">(<?cs var:User.principal ?>)</span>
    <span class="role"><?cs var:User.role ?></span>
    <span class="customer"><?cs var:Customer.name ?></span>
    <?cs if:Session.csrf ?><form class="signout" method="post" action="/admin/logout"><input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>"><input type="hidden" name="confirm" value="yes"><button type="submit" class="secondary">Sign out</button></form><?cs /if ?></div>
  <?cs /if ?>
</header>
<main>
