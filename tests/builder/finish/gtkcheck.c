/* Loads an icon through GTK's icon theme and gdk-pixbuf, and an SVG file
 * through gdk-pixbuf's loaders, then reads a GSettings key: prints what it
 * got, exits 1 on the first failure.  Declared by hand: the build host has
 * no GTK headers, only the image's libraries. */
#include <stdio.h>

typedef struct {
	unsigned domain;
	int code;
	char *message;
} GError;
int gtk_init_check(int *argc, char ***argv);
void *gtk_icon_theme_get_default(void);
void *gtk_icon_theme_lookup_icon(void *theme, const char *name, int size, int flags);
const char *gtk_icon_info_get_filename(void *info);
void *gtk_icon_info_load_icon(void *info, GError **error);
void *gdk_pixbuf_new_from_file_at_size(const char *file, int w, int h, GError **error);
int gdk_pixbuf_get_width(void *pixbuf);
void *g_settings_new(const char *schema_id);
char *g_settings_get_string(void *settings, const char *key);

int main(int argc, char **argv)
{
	if (!gtk_init_check(&argc, &argv)) {
		puts("gtk: cannot open the display");
		return 1;
	}
	void *info =
	    gtk_icon_theme_lookup_icon(gtk_icon_theme_get_default(), "org.xfce.mousepad", 48, 0);
	if (info == NULL) {
		puts("icon: org.xfce.mousepad not found in the icon theme");
		return 1;
	}
	GError *e = NULL;
	void *icon = gtk_icon_info_load_icon(info, &e);
	printf("icon: %s %d\n", gtk_icon_info_get_filename(info),
	       icon ? gdk_pixbuf_get_width(icon) : -1);
	if (icon == NULL) {
		printf("icon error: %s\n", e ? e->message : "?");
		return 1;
	}
	void *svg = gdk_pixbuf_new_from_file_at_size(
	    argc > 1 ? argv[1] : "/app/share/gtk-check/check.svg", 32, 32, &e);
	printf("svg: %d\n", svg ? gdk_pixbuf_get_width(svg) : -1);
	if (svg == NULL) {
		printf("svg error: %s\n", e ? e->message : "?");
		return 1;
	}
	printf("gsettings: %s\n",
	       g_settings_get_string(g_settings_new("org.bento.GtkCheck"), "greeting"));
	return 0;
}
