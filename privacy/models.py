"""Privacy keeps no tables of its own: it reads and erases the domain's."""
