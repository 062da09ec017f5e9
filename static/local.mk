# static/: CSS (and later images) served by Apache under [web] static_url.
staticdir = $(pkgdatadir)/static
dist_static_DATA = static/style.css
